using System.Globalization;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// One operation of a <see cref="History"/>: who did what to which key, what it answered, and when it was
/// invoked and answered on one monotonic clock (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> for
/// recorded histories, any integer scale for hand-written ones).
/// </summary>
/// <remarks>
/// <para>Outputs by kind: <see cref="OperationKind.Get"/> — the value read, null for "missing";
/// <see cref="OperationKind.Increment"/> — the value after it; <see cref="OperationKind.Set"/> and
/// <see cref="OperationKind.Delete"/> — none. A delete's reply (whether the key existed) is deliberately not
/// checked: it observes every value, so each write of unknown outcome would stay "possibly observed" until the
/// last delete of the history, and a failing search pays for every such write with a doubling. Gets observe
/// everything that reply would, value by value.</para>
/// <para>An operation whose outcome is unknown (the client saw a timeout, a broken connection or an error)
/// has <see cref="Return"/> = <see cref="Never"/>: as Porcupine suggests for timed-out calls
/// (anishathalye/porcupine issue #8), it "returns at infinity", so the checker may place it anywhere after
/// its invocation — including after everything else, which is the same as not at all — and its output is
/// not checked. Only writes can have an unknown outcome: a failed read tells nothing and is dropped.</para>
/// </remarks>
/// <param name="ClientId">The client (thread, connection) that issued it.</param>
/// <param name="Kind">What it did.</param>
/// <param name="Key">The key it touched; the checker splits a history by key.</param>
/// <param name="Input">Set: the value written; Increment: the delta as a decimal integer; otherwise null.</param>
/// <param name="Output">The answer, by kind (see remarks); null when the outcome is unknown.</param>
/// <param name="Call">When it was invoked (taken just before the request was sent).</param>
/// <param name="Return">When its answer arrived (taken just after), or <see cref="Never"/>.</param>
public sealed record Operation(
    int ClientId,
    OperationKind Kind,
    string Key,
    string? Input,
    string? Output,
    long Call,
    long Return)
{
    /// <summary>The return time of an operation whose outcome is unknown: later than anything.</summary>
    public const long Never = long.MaxValue;

    /// <summary>The client never learned whether it took effect.</summary>
    public bool OutcomeUnknown => Return == Never;

    /// <summary>Set, Delete or Increment.</summary>
    public bool IsWrite => Kind != OperationKind.Get;

    /// <summary>An acknowledged set.</summary>
    public static Operation Set(int clientId, string key, string value, long call, long ret) =>
        new(clientId, OperationKind.Set, key, value, null, call, ret);

    /// <summary>A get that answered <paramref name="value"/>, or "missing" when it is null.</summary>
    public static Operation Get(int clientId, string key, string? value, long call, long ret) =>
        new(clientId, OperationKind.Get, key, null, value, call, ret);

    /// <summary>An acknowledged delete.</summary>
    public static Operation Delete(int clientId, string key, long call, long ret) =>
        new(clientId, OperationKind.Delete, key, null, null, call, ret);

    /// <summary>An increment by <paramref name="delta"/> that answered <paramref name="result"/>.</summary>
    public static Operation Increment(int clientId, string key, long delta, long result, long call, long ret) =>
        new(clientId, OperationKind.Increment, key, Text(delta), Text(result), call, ret);

    /// <summary>A set whose outcome is unknown (timeout, connection failure, error, "unavailable").</summary>
    public static Operation UnknownSet(int clientId, string key, string value, long call) =>
        new(clientId, OperationKind.Set, key, value, null, call, Never);

    /// <summary>A delete whose outcome is unknown.</summary>
    public static Operation UnknownDelete(int clientId, string key, long call) =>
        new(clientId, OperationKind.Delete, key, null, null, call, Never);

    /// <summary>An increment whose outcome is unknown.</summary>
    public static Operation UnknownIncrement(int clientId, string key, long delta, long call) =>
        new(clientId, OperationKind.Increment, key, Text(delta), null, call, Never);

    /// <summary>The same write, with its outcome forgotten.</summary>
    public Operation WithUnknownOutcome() => this with { Output = null, Return = Never };

    /// <summary>One line, raw timestamps: <c>client 2 get "k" -> "v" [10..25]</c>.</summary>
    public override string ToString() =>
        $"client {ClientId} {Describe()} [{Call}..{(OutcomeUnknown ? "?" : Return.ToString(CultureInfo.InvariantCulture))}]";

    /// <summary>What it did and answered, without times: <c>set "k" = "v"</c>, <c>get "k" -> missing</c>.</summary>
    public string Describe()
    {
        string key = Quote(Key);
        return Kind switch
        {
            OperationKind.Set => $"set {key} = {Quote(Input)}",
            OperationKind.Get => $"get {key} -> {Quote(Output)}",
            OperationKind.Delete => $"delete {key}",
            OperationKind.Increment => $"incr {key} by {Input}" + (Output is null ? "" : $" -> {Output}"),
            _ => Kind.ToString(),
        };
    }

    /// <summary>A value as the explanations show it: quoted and shortened, or <c>missing</c>.</summary>
    public static string Quote(string? value) => value switch
    {
        null => "missing",
        { Length: > 40 } => $"\"{value[..37]}...\" ({value.Length} chars)",
        _ => $"\"{value}\"",
    };

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);
}
