using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The worker states the orchestrator reports in its INFO (<c>net/Cluster/ClusterInfo.cs</c>: one line
/// <c>worker{i}:address=…,state=up|syncing|returning|down,instance=…</c> per worker), for tests that wait on the
/// orchestrator's own view of a failure and a refill rather than on its log or on time. A log line ("is Up",
/// "resync complete") can come from another down-and-up than the one a test caused (a health check missed on a loaded
/// machine); the state with the instance id of the process the test started cannot.
/// </summary>
internal static partial class OrchestratorInfo
{
    /// <summary>Each worker's state, in command-line order, from one INFO on <paramref name="connection"/>.</summary>
    public static string[] WorkerStates(RespConnection connection) => [.. Workers(connection).Select(w => w.State)];

    /// <summary>Each worker's state and instance id, in command-line order, from one INFO on <paramref name="connection"/>.</summary>
    public static WorkerView[] Workers(RespConnection connection)
    {
        RespReply reply = connection.Call("INFO");
        Assert.True(reply.Type == '$' && reply.Text is not null, $"INFO answered {reply}");
        var workers = new SortedDictionary<int, WorkerView>();
        foreach (Match match in WorkerLine().Matches(reply.Text))
        {
            workers[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)] =
                new WorkerView(match.Groups[2].Value, ulong.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        Assert.True(workers.Count > 0 && workers.Keys.SequenceEqual(Enumerable.Range(0, workers.Count)), $"no worker lines in INFO:\n{reply.Text}");
        return [.. workers.Values];
    }

    /// <summary>
    /// Polls INFO on the orchestrator at <paramref name="port"/> until <paramref name="condition"/> holds for the
    /// worker states, and returns them; fails the test after <paramref name="timeout"/>, saying what it waited for.
    /// </summary>
    public static async Task<string[]> WaitUntilAsync(int port, Func<string[], bool> condition, TimeSpan timeout, string what) =>
        [.. (await WaitForWorkersAsync(port, workers => condition([.. workers.Select(w => w.State)]), timeout, what)).Select(w => w.State)];

    /// <summary>
    /// Polls INFO on the orchestrator at <paramref name="port"/> until <paramref name="condition"/> holds for the
    /// workers (state and instance), and returns them; fails the test after <paramref name="timeout"/>, saying what it
    /// waited for and what INFO said last (and <paramref name="log"/>, when given).
    /// </summary>
    public static async Task<WorkerView[]> WaitForWorkersAsync(int port, Func<WorkerView[], bool> condition, TimeSpan timeout, string what,
        Func<string>? log = null)
    {
        using RespConnection connection = RespConnection.Connect(port, TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            WorkerView[] workers = Workers(connection);
            if (condition(workers))
            {
                return workers;
            }
            Assert.True(elapsed.Elapsed < timeout,
                $"waited {timeout.TotalSeconds:0} s for {what}; the orchestrator's INFO still says: " +
                $"{string.Join(", ", workers.Select((w, i) => $"worker{i} {w}"))}{(log is null ? "" : $"\nits log:\n{log()}")}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Waits until INFO on the orchestrator at <paramref name="port"/> says every worker is up (60 s at most): before a
    /// test reads the copies straight from the workers. A worker a loaded machine made miss a health check is marked
    /// down and refilled; until it is up again it may lack writes its partner acknowledged, as it should.
    /// </summary>
    public static Task<string[]> WaitForAllUpAsync(int port) =>
        WaitUntilAsync(port, states => states.All(state => state == "up"), TimeSpan.FromSeconds(60), "every worker to be up");

    [GeneratedRegex(@"^worker(\d+):[^\r\n]*?\bstate=(\w+),instance=([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex WorkerLine();
}
