using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The worker states the orchestrator reports in its INFO (<c>net/Cluster/ClusterInfo.cs</c>: one line
/// <c>worker{i}:address=…,state=up|syncing|returning|down,instance=…</c> per worker), for tests that wait on the
/// orchestrator's own view of a failure and a refill rather than on its log or on time.
/// </summary>
internal static partial class OrchestratorInfo
{
    /// <summary>Each worker's state, in command-line order, from one INFO on <paramref name="connection"/>.</summary>
    public static string[] WorkerStates(RespConnection connection)
    {
        RespReply reply = connection.Call("INFO");
        Assert.True(reply.Type == '$' && reply.Text is not null, $"INFO answered {reply}");
        var states = new SortedDictionary<int, string>();
        foreach (Match match in WorkerLine().Matches(reply.Text))
        {
            states[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = match.Groups[2].Value;
        }
        Assert.True(states.Count > 0 && states.Keys.SequenceEqual(Enumerable.Range(0, states.Count)), $"no worker lines in INFO:\n{reply.Text}");
        return [.. states.Values];
    }

    /// <summary>
    /// Polls INFO on the orchestrator at <paramref name="port"/> until <paramref name="condition"/> holds for the
    /// worker states, and returns them; fails the test after <paramref name="timeout"/>, saying what it waited for.
    /// </summary>
    public static async Task<string[]> WaitUntilAsync(int port, Func<string[], bool> condition, TimeSpan timeout, string what)
    {
        using RespConnection connection = RespConnection.Connect(port, TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            string[] states = WorkerStates(connection);
            if (condition(states))
            {
                return states;
            }
            Assert.True(elapsed.Elapsed < timeout,
                $"waited {timeout.TotalSeconds:0} s for {what}; the orchestrator's INFO still says: {string.Join(", ", states.Select((s, i) => $"worker{i} {s}"))}");
            await Task.Delay(5);
        }
    }

    [GeneratedRegex(@"^worker(\d+):[^\r\n]*?\bstate=(\w+)", RegexOptions.Multiline)]
    private static partial Regex WorkerLine();
}
