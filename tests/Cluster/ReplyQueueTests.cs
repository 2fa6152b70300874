using System.Buffers;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// The orchestrator's per-client reply ring: replies leave in request order whatever order they complete in, and
/// the memory a burst made it take is given back (the ring shrinks, entry buffers stay within their budget).
/// </summary>
public sealed class ReplyQueueTests
{
    [Fact]
    public void Replies_leave_in_request_order_when_completed_out_of_order_across_a_growth_and_a_shrink()
    {
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        long[] sequences = new long[200];
        for (int i = 0; i < sequences.Length; i++) sequences[i] = Reserve(queue, requestId: i);
        Assert.Equal(256, queue.Capacity);

        // The first 150 complete in reverse order; all leave. 50 stay outstanding through the shrink.
        for (int i = 149; i >= 0; i--) Complete(queue, sequences[i], valueLength: i);
        queue.TakeReady(output);
        Assert.Equal(200, queue.Housekeep()); // the period's deepest pipeline: no shrink yet
        Assert.Equal(256, queue.Capacity);
        Assert.Equal(50, queue.Housekeep()); // the next period saw only the 50 outstanding
        Assert.Equal(128, queue.Capacity);

        for (int i = 199; i >= 150; i--) Complete(queue, sequences[i], valueLength: i);
        queue.TakeReady(output);
        Assert.Equal(0, queue.Outstanding);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => ((ulong)i, i)), ReadReplies(output));
    }

    [Fact]
    public void A_ring_a_burst_grew_shrinks_back_to_its_initial_size_after_a_quiet_period()
    {
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        for (int i = 0; i < 4096; i++) Reserve(queue, requestId: i);
        for (long s = 0; s < 4096; s++) Complete(queue, s, valueLength: 40);
        queue.TakeReady(output);
        Assert.Equal(4096, queue.Capacity);

        queue.Housekeep(); // the burst's period
        Assert.Equal(4096, queue.Capacity);
        queue.Housekeep(); // a quiet one
        Assert.Equal(ReplyQueue.InitialEntries, queue.Capacity);
        Assert.Equal(ReplyQueue.InitialEntries * (BinaryProtocol.HeaderSize + 40L), queue.KeptBytes); // one reply's buffer each

        // Served as before after the shrink.
        output.MarkSent(output.Pending);
        Complete(queue, Reserve(queue, requestId: 7), valueLength: 3);
        queue.TakeReady(output);
        Assert.Equal([(7UL, 3)], ReadReplies(output));
    }

    [Fact]
    public void Entry_buffers_keep_at_most_their_budget_and_no_large_value()
    {
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 256 << 20);
        for (int i = 0; i < 100; i++) Complete(queue, Reserve(queue, requestId: i), valueLength: 30_000);
        Assert.True(queue.KeptBytes >= 100 * 30_000);
        queue.TakeReady(output);
        Assert.InRange(queue.KeptBytes, ReplyQueue.MaxKeptBytes - 30_100, ReplyQueue.MaxKeptBytes);
        Assert.Equal(0, queue.QueuedBytes);

        long kept = queue.KeptBytes;
        Complete(queue, Reserve(queue, requestId: 100), valueLength: ReplyQueue.MaxKeptEntryBuffer);
        Assert.Equal(ReplyQueue.MaxKeptEntryBuffer + BinaryProtocol.HeaderSize, queue.QueuedBytes);
        queue.TakeReady(output);
        Assert.True(queue.KeptBytes <= kept, "a reply over 64 KiB left its buffer in the ring");
        Assert.Equal(101, ReadReplies(output).Count);
    }

    [Fact]
    public void A_group_answers_once_in_its_place_whether_its_members_finish_before_or_after_it_is_sealed()
    {
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        long before = ReserveResp(queue, RespReplyKind.Ok);

        // DEL of three keys: the members finish out of order, two of them before the group is sealed.
        long del = queue.ReserveGroup(out ReplyEntry head);
        head.Kind = (int)RespReplyKind.CountTotal;
        long[] members = [queue.ReserveMember(del), queue.ReserveMember(del), queue.ReserveMember(del)];
        long after = ReserveResp(queue, RespReplyKind.Ok);
        CompleteWorkerReply(queue, members[2], ":1\r\n"); // members are forwarded DELs: a worker's RESP reply each
        CompleteWorkerReply(queue, members[0], ":0\r\n");
        Seal(queue, del);
        CompleteResp(queue, after, BinaryStatus.Ok);
        queue.TakeReady(output);
        Assert.Equal(0, output.Pending); // the first request has not answered yet
        CompleteResp(queue, before, BinaryStatus.Ok);
        queue.TakeReady(output);
        Assert.Equal("+OK\r\n", Text(output)); // the group waits for its last member
        CompleteWorkerReply(queue, members[1], ":1\r\n");
        queue.TakeReady(output);
        Assert.Equal("+OK\r\n:2\r\n+OK\r\n", Text(output));
        Assert.Equal(0, queue.Outstanding);

        // MSET whose members all finished before the seal: the seal writes it. One failure makes it an error.
        long mset = queue.ReserveGroup(out head);
        head.Kind = (int)RespReplyKind.OkTotal;
        CompleteResp(queue, queue.ReserveMember(mset), BinaryStatus.Ok);
        CompleteResp(queue, queue.ReserveMember(mset), BinaryStatus.Unavailable);
        CompleteResp(queue, queue.ReserveMember(mset), BinaryStatus.Busy);
        queue.TakeReady(output);
        Assert.Equal("+OK\r\n:2\r\n+OK\r\n", Text(output));
        Seal(queue, mset);
        queue.TakeReady(output);
        Assert.Equal("+OK\r\n:2\r\n+OK\r\n-UNAVAILABLE no live replica holds this key\r\n", Text(output));

        // A group with no member answers at its seal.
        long empty = queue.ReserveGroup(out head);
        head.Kind = (int)RespReplyKind.CountTotal;
        Seal(queue, empty);
        queue.TakeReady(output);
        Assert.EndsWith("\r\n:0\r\n", Text(output), StringComparison.Ordinal);
        Assert.Equal(0, queue.Outstanding);
    }

    [Fact]
    public void A_status_reply_to_a_call_that_brought_a_large_value_takes_no_buffer_the_size_of_the_value()
    {
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        long set = ReserveResp(queue, RespReplyKind.Ok);
        var format = new RespReplyFormat(new ClusterReply(new BinaryFrameHeader(), new byte[100_000]));
        queue.Complete(set, ref format);
        Assert.Equal(128, queue.KeptBytes);
        queue.TakeReady(output);
        Assert.Equal("+OK\r\n", Text(output));
    }

    [Theory]
    [InlineData(BinaryStatus.TooLarge, "-ERR value too large: an item must fit in 1 MiB after compression\r\n")]
    [InlineData(BinaryStatus.Unavailable, "-UNAVAILABLE no live replica holds this key\r\n")]
    [InlineData(BinaryStatus.ServerError, "-ERR the cluster could not apply the command\r\n")]
    public void Every_error_of_ours_is_written_whole(BinaryStatus status, string expected)
    {
        // A SET of a value too large was once answered nothing at all: its error did not fit the room kept for it.
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        long set = ReserveResp(queue, RespReplyKind.Ok);
        CompleteResp(queue, set, status);
        queue.TakeReady(output);
        Assert.Equal(expected, Text(output));
    }

    [Theory]
    [InlineData("no live replica holds this key", "-UNAVAILABLE no live replica holds this key\r\n")]
    [InlineData("no live replica applied the write", "-UNAVAILABLE no live replica applied the write\r\n")]
    [InlineData("a reason\r\nwith a line break", "-UNAVAILABLE no live replica holds this key\r\n")]
    public void Unavailable_says_whether_the_write_was_sent(string reason, string expected)
    {
        // The reason tells a client what became of its write (docs/protocol.md): sent nowhere, or sent and unanswered.
        var queue = new ReplyQueue();
        var output = new OutputBuffer(1024, 1 << 20);
        long set = ReserveResp(queue, RespReplyKind.Ok);
        var format = new RespReplyFormat(new ClusterReply(BinaryStatus.Unavailable, System.Text.Encoding.ASCII.GetBytes(reason)));
        queue.Complete(set, ref format);
        queue.TakeReady(output);
        Assert.Equal(expected, Text(output));
    }

    private static long ReserveResp(ReplyQueue queue, RespReplyKind kind)
    {
        long sequence = queue.Reserve(out ReplyEntry entry);
        entry.Kind = (int)kind;
        return sequence;
    }

    private static void CompleteResp(ReplyQueue queue, long sequence, BinaryStatus status)
    {
        var format = new RespReplyFormat(new ClusterReply(status));
        queue.Complete(sequence, ref format);
    }

    private static void CompleteWorkerReply(ReplyQueue queue, long sequence, string reply)
    {
        var format = new RespReplyFormat(new ClusterReply(BinaryStatus.Ok, System.Text.Encoding.ASCII.GetBytes(reply)));
        queue.Complete(sequence, ref format);
    }

    private static void Seal(ReplyQueue queue, long head)
    {
        var format = new RespReplyFormat(default);
        queue.SealGroup(head, ref format);
    }

    private static string Text(OutputBuffer output) =>
        System.Text.Encoding.ASCII.GetString(output.Bytes, output.SentOffset, output.Pending);

    private static long Reserve(ReplyQueue queue, int requestId)
    {
        long sequence = queue.Reserve(out ReplyEntry entry);
        entry.Request = new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = (ulong)requestId };
        return sequence;
    }

    private static void Complete(ReplyQueue queue, long sequence, int valueLength)
    {
        var format = new BinaryReplyFormat(new ClusterReply(new BinaryFrameHeader(), new byte[valueLength]));
        queue.Complete(sequence, ref format);
    }

    /// <summary>The request id and value length of each reply frame in the output.</summary>
    private static List<(ulong Id, int Length)> ReadReplies(OutputBuffer output)
    {
        var replies = new List<(ulong, int)>();
        ReadOnlySpan<byte> bytes = output.Bytes.AsSpan(output.SentOffset, output.Pending);
        while (BinaryCodec.TryParseReply(bytes, out BinaryFrame frame, out int consumed) == OperationStatus.Done)
        {
            replies.Add((frame.Header.RequestId, frame.Value.Length));
            bytes = bytes[consumed..];
        }
        Assert.True(bytes.IsEmpty, "the output holds a partial or malformed frame");
        return replies;
    }
}
