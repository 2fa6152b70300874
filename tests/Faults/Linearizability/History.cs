using System.Globalization;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// A finished, immutable history: the operations of all clients on all keys, with their invocation and
/// response times. Build one by hand (<see cref="Of"/>) or get one from <see cref="HistoryRecorder.ToHistory"/>;
/// check it with <see cref="LinearizabilityChecker.Check"/>.
/// </summary>
public sealed class History
{
    /// <summary>A history of <paramref name="operations"/>; throws <see cref="ArgumentException"/> on a malformed one.</summary>
    /// <param name="operations">In any order; explanations number them by their position here (#0, #1, ...).</param>
    /// <param name="ticksPerSecond">The clock's rate (<see cref="System.Diagnostics.Stopwatch.Frequency"/>), so
    /// explanations can show microseconds; null for hand-written histories in abstract time units.</param>
    /// <param name="droppedReads">Reads that failed and were left out, for the record.</param>
    public History(IEnumerable<Operation> operations, long? ticksPerSecond = null, int droppedReads = 0)
    {
        ArgumentNullException.ThrowIfNull(operations);
        Operations = [.. operations];
        for (int i = 0; i < Operations.Count; i++)
        {
            Validate(Operations[i], i);
        }
        TicksPerSecond = ticksPerSecond;
        DroppedReads = droppedReads;
        Keys = [.. Operations.SelectMany(o => o.Keys).Distinct().Order(StringComparer.Ordinal)];
        UnknownOutcomes = Operations.Count(o => o.OutcomeUnknown);
        Start = Operations.Count == 0 ? 0 : Operations.Min(o => o.Call);
    }

    /// <summary>Every operation kept, in the order given (recorded histories: invocation order).</summary>
    public IReadOnlyList<Operation> Operations { get; }

    /// <summary>The distinct keys touched (a rename's destination included), in ordinal order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The clock's ticks per second, or null when timestamps are abstract units.</summary>
    public long? TicksPerSecond { get; }

    /// <summary>Failed reads that were left out (they tell nothing about the state).</summary>
    public int DroppedReads { get; }

    /// <summary>Writes whose outcome is unknown (<see cref="Operation.OutcomeUnknown"/>).</summary>
    public int UnknownOutcomes { get; }

    /// <summary>The earliest invocation: explanations show times relative to it.</summary>
    public long Start { get; }

    /// <summary>A hand-written history in abstract time units.</summary>
    public static History Of(params Operation[] operations) => new(operations);

    /// <summary>A timestamp as explanations show it: relative to <see cref="Start"/>, in µs when the rate is known.</summary>
    public string FormatTime(long timestamp)
    {
        if (timestamp == Operation.Never)
        {
            return "never";
        }
        long relative = timestamp - Start;
        return TicksPerSecond is long rate
            ? (relative * 1e6 / rate).ToString("0.0", CultureInfo.InvariantCulture) + "us"
            : relative.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>One line for operation <paramref name="index"/>: number, client, what it did, when.</summary>
    public string Format(int index)
    {
        Operation op = Operations[index];
        string end = op.OutcomeUnknown ? "?, outcome unknown" : FormatTime(op.Return);
        return $"#{index} client {op.ClientId} {op.Describe()}  [{FormatTime(op.Call)} .. {end}]";
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Operations.Count} operations on {Keys.Count} keys ({UnknownOutcomes} with unknown outcome, {DroppedReads} failed reads dropped)";

    private static void Validate(Operation op, int index)
    {
        ArgumentNullException.ThrowIfNull(op);
        string where = $"operation #{index} ({op})";
        if (op.Key is null)
        {
            throw new ArgumentException($"{where} has no key.", nameof(op));
        }
        if (op.Return < op.Call)
        {
            throw new ArgumentException($"{where} returns before it is invoked.", nameof(op));
        }
        if (op.Kind is < OperationKind.Set or > OperationKind.Expire)
        {
            throw new ArgumentException($"{where} has an unknown kind.", nameof(op));
        }
        if (op.Kind == OperationKind.Get && op.OutcomeUnknown)
        {
            throw new ArgumentException($"{where}: a read whose outcome is unknown tells nothing; drop it.", nameof(op));
        }
        bool takesInput = op.Kind is not (OperationKind.Get or OperationKind.Delete or OperationKind.CountedDelete or OperationKind.GetDelete);
        if (takesInput != (op.Input is not null))
        {
            throw new ArgumentException($"{where}: a {op.Kind} {(takesInput ? "needs an input" : "has no input")}.", nameof(op));
        }
        if (op.Kind == OperationKind.Increment && !long.TryParse(op.Input, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"{where}: an increment's input is an integer.", nameof(op));
        }

        // The answer, when known, must be one the kind can give; an unknown outcome has none (or, hand-written, a valid one).
        string? output = op.Output;
        bool valid = op.Kind switch
        {
            OperationKind.Set or OperationKind.Delete => output is null,
            OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete => true,
            OperationKind.Increment => output == Operation.Rejected || IsInteger(output, allowNegative: true),
            OperationKind.SetIfAbsent or OperationKind.CountedDelete or OperationKind.Expire => output is "0" or "1",
            OperationKind.Append => IsInteger(output, allowNegative: false),
            OperationKind.IncrementByFloat => output is { Length: > 0 },
            _ => output is Operation.Renamed or Operation.Rejected,
        };
        if (!valid && (op.AnswerKnown || output is not null))
        {
            throw new ArgumentException($"{where}: {(output is null ? "no answer" : $"\"{output}\" is not an answer")} for a {op.Kind}.", nameof(op));
        }
    }

    private static bool IsInteger(string? text, bool allowNegative) =>
        long.TryParse(text, allowNegative ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
