using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The orchestrator is a front door that must answer every string and keyspace command exactly as a lone worker
/// does. One script (Integration/Scripts/same-replies.txt, error cases included) runs against a fresh lone worker,
/// the reference, and against a fresh orchestrator over two and over three fresh workers; every reply must be
/// the same, byte for byte (arrays of no defined order compared sorted, see <see cref="ScriptMode"/>).
/// </summary>
public sealed class SameRepliesTests
{
    private static readonly Lazy<IReadOnlyList<ScriptLine>> Script = new(() => ReplyScript.Load(ReplyScript.PathOf("same-replies.txt")));

    /// <summary>
    /// The script against a fresh lone worker and a fresh orchestrator over <paramref name="workers"/> fresh
    /// workers: every reply the same, or a list of every command whose replies differ.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void An_orchestrator_over_workers_replies_byte_for_byte_like_a_lone_worker(int workers)
    {
        IReadOnlyList<byte[]> reference = RunOnLoneWorker();
        IReadOnlyList<byte[]> replies;
        using (LocalCluster cluster = LocalCluster.Start(workers))
        {
            replies = ScriptRunner.Run(cluster.Port, Script.Value);
        }
        AssertSameReplies("lone worker", reference, $"orchestrator over {workers} workers", replies);
    }

    /// <summary>
    /// The script itself: long enough, with its error cases, every command answered by the reference, and every
    /// reply a function of the commands alone (two fresh workers answer the same), so a difference the theory
    /// above reports is the orchestrator's, never the clock's or the hash table's.
    /// </summary>
    [Fact]
    public void The_script_gets_the_same_replies_from_two_fresh_lone_workers()
    {
        IReadOnlyList<ScriptLine> script = Script.Value;
        Assert.True(script.Count >= 100, $"the script has {script.Count} commands; it should have at least 100");
        IReadOnlyList<byte[]> first = RunOnLoneWorker();
        IReadOnlyList<byte[]> second = RunOnLoneWorker();
        AssertSameReplies("first lone worker", first, "second lone worker", second);
        int errors = first.Count(reply => reply[0] == '-');
        Assert.True(errors >= 50, $"only {errors} of the script's replies are errors; the error cases matter as much");
        Assert.Contains(script, line => line.Mode == ScriptMode.Unordered);
        Assert.Contains(script, line => line.Mode == ScriptMode.ScanLoop);
    }

    /// <summary>The script's replies from a fresh lone worker, each one a real reply.</summary>
    private static IReadOnlyList<byte[]> RunOnLoneWorker()
    {
        IReadOnlyList<byte[]> replies;
        using (HostProcess worker = HostProcess.StartWorker(out int port))
        {
            replies = ScriptRunner.Run(port, Script.Value);
        }
        for (int i = 0; i < replies.Count; i++)
        {
            ScriptLine line = Script.Value[i];
            Assert.False(ScriptRunner.IsNote(replies[i]),
                $"the lone worker (the reference) did not answer #{line.Index} (line {line.LineNumber}) {line.Text}: {RespValue.Readable(replies[i])}");
        }
        return replies;
    }

    /// <summary>
    /// Fails, listing every command whose replies differ (index, script line, the command, both replies as
    /// escaped text), then the names of the commands that differ, when <paramref name="actual"/> is not
    /// <paramref name="expected"/>.
    /// </summary>
    private static void AssertSameReplies(string expectedName, IReadOnlyList<byte[]> expected, string actualName, IReadOnlyList<byte[]> actual)
    {
        IReadOnlyList<ScriptLine> script = Script.Value;
        Assert.Equal(script.Count, expected.Count);
        Assert.Equal(script.Count, actual.Count);
        List<ScriptLine> differing = [.. script.Where(line => !expected[line.Index].AsSpan().SequenceEqual(actual[line.Index]))];
        if (differing.Count == 0)
        {
            return;
        }
        int width = Math.Max(expectedName.Length, actualName.Length) + 1;
        var message = new StringBuilder();
        message.Append($"{differing.Count} of {script.Count} replies differ between the {expectedName} and the {actualName} ")
            .Append("(replies escaped: \\r \\n \\xHH; '~' and '@' lines show the sorted array compared; a reply in parentheses is no reply):\n");
        foreach (ScriptLine line in differing)
        {
            message.Append($"\n#{line.Index} (line {line.LineNumber}): {line.Text}\n")
                .Append($"  {(expectedName + ":").PadRight(width)} {RespValue.Readable(expected[line.Index])}\n")
                .Append($"  {(actualName + ":").PadRight(width)} {RespValue.Readable(actual[line.Index])}\n");
        }
        message.Append($"\nThe first difference is #{differing[0].Index}: once a write is answered differently the two caches hold ")
            .Append("different data, so later differences may only follow from earlier ones.\n")
            .Append("Commands that differ (times): ")
            .AppendJoin(", ", differing.GroupBy(line => line.Name).OrderBy(group => group.Key, StringComparer.Ordinal)
                .Select(group => $"{group.Key} ({group.Count()})"));
        Assert.Fail(message.ToString());
    }
}
