using System.Globalization;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// One operation of a <see cref="History"/>: who did what to which key, what it answered, and when it was
/// invoked and answered on one monotonic clock (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> for
/// recorded histories, any integer scale for hand-written ones).
/// </summary>
/// <remarks>
/// <para>Inputs and outputs by kind (<see cref="OperationKind"/>):</para>
/// <list type="table">
/// <listheader><term>kind</term><description>input → output</description></listheader>
/// <item><term>Set</term><description>the value → none</description></item>
/// <item><term>Get</term><description>none → the value read, null for "missing"</description></item>
/// <item><term>Delete</term><description>none → none (the reply is not checked)</description></item>
/// <item><term>CountedDelete</term><description>none → "1" (it existed) or "0"</description></item>
/// <item><term>Increment</term><description>the delta, a decimal integer → the value after, or <see cref="Rejected"/></description></item>
/// <item><term>SetIfAbsent</term><description>the value → "1" (stored) or "0"</description></item>
/// <item><term>GetSet</term><description>the value → the value before, null for "missing"</description></item>
/// <item><term>Append</term><description>the suffix → the new length in UTF-8 bytes</description></item>
/// <item><term>IncrementByFloat</term><description>the delta as sent → the value after as stored, or <see cref="Rejected"/></description></item>
/// <item><term>GetDelete</term><description>none → the value before, null for "missing"</description></item>
/// <item><term>Rename</term><description>the destination key → "OK", or <see cref="Rejected"/> (no such key)</description></item>
/// <item><term>Expire</term><description>the seconds to live → "1" (it existed) or "0"</description></item>
/// </list>
/// <para>A plain <see cref="OperationKind.Delete"/>'s reply (whether the key existed) is not checked: it observes
/// every value, so each write of unknown outcome would stay "possibly observed" until the last delete of the
/// history, and a failing search pays for every such write with a doubling. Gets observe everything that
/// reply would, value by value. Record a DEL as <see cref="OperationKind.CountedDelete"/> when its count is the
/// point (a DEL answering 0 while the key existed).</para>
/// <para>An operation whose outcome is unknown (the client saw a timeout, a broken connection or an error
/// that does not say the command was refused) has <see cref="Return"/> = <see cref="Never"/>: as Porcupine
/// suggests for timed-out calls (anishathalye/porcupine issue #8), it "returns at infinity", so the checker may
/// place it anywhere after its invocation — including after everything else, which is the same as not at all —
/// and its output is not checked. Only writes can have an unknown outcome: a failed read tells nothing and is
/// dropped. A refusal that changes nothing (<see cref="Rejected"/>) is a known outcome: it says the key held
/// a value the command could not use.</para>
/// </remarks>
/// <param name="ClientId">The client (thread, connection) that issued it.</param>
/// <param name="Kind">What it did.</param>
/// <param name="Key">The key it touched (a rename's source); the checker splits a history by key.</param>
/// <param name="Input">By kind (see remarks); null for Get, Delete, CountedDelete and GetDelete.</param>
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

    /// <summary>The output of an increment, float increment or rename the cache refused, changing nothing.</summary>
    public const string Rejected = "(error)";

    /// <summary>The output of a rename that moved the value.</summary>
    public const string Renamed = "OK";

    /// <summary>The client never learned whether it took effect.</summary>
    public bool OutcomeUnknown => Return == Never;

    /// <summary>
    /// Set on a copy made to cut a history at some instant (<see cref="AsPending"/>): the operation had not
    /// answered by then, so it may or may not have taken effect (<see cref="OutcomeUnknown"/>), but its later
    /// answer is known — if it took effect, it answered <see cref="Output"/>. Never set on recorded operations.
    /// </summary>
    public bool Pending { get; init; }

    /// <summary>
    /// Whether <see cref="Output"/> must match, if the operation took effect: always for a completed one, and
    /// for a <see cref="Pending"/> one; never for a write of unknown outcome.
    /// </summary>
    public bool AnswerKnown => !OutcomeUnknown || Pending;

    /// <summary>Every kind but <see cref="OperationKind.Get"/>: it may change the state.</summary>
    public bool IsWrite => Kind != OperationKind.Get;

    /// <summary>The keys it touches: its key, and a rename's destination.</summary>
    public IEnumerable<string> Keys => Kind == OperationKind.Rename && Input is not null && Input != Key ? [Key, Input] : [Key];

    /// <summary>An acknowledged set.</summary>
    public static Operation Set(int clientId, string key, string value, long call, long ret) =>
        new(clientId, OperationKind.Set, key, value, null, call, ret);

    /// <summary>A get that answered <paramref name="value"/>, or "missing" when it is null.</summary>
    public static Operation Get(int clientId, string key, string? value, long call, long ret) =>
        new(clientId, OperationKind.Get, key, null, value, call, ret);

    /// <summary>An acknowledged delete whose reply is not checked.</summary>
    public static Operation Delete(int clientId, string key, long call, long ret) =>
        new(clientId, OperationKind.Delete, key, null, null, call, ret);

    /// <summary>A delete that answered whether the key existed (DEL's count, 1 or 0).</summary>
    public static Operation CountedDelete(int clientId, string key, bool existed, long call, long ret) =>
        new(clientId, OperationKind.CountedDelete, key, null, Flag(existed), call, ret);

    /// <summary>An increment by <paramref name="delta"/> that answered <paramref name="result"/>.</summary>
    public static Operation Increment(int clientId, string key, long delta, long result, long call, long ret) =>
        new(clientId, OperationKind.Increment, key, Text(delta), Text(result), call, ret);

    /// <summary>An increment the cache refused: the value was not an integer, or the sum would overflow.</summary>
    public static Operation RejectedIncrement(int clientId, string key, long delta, long call, long ret) =>
        new(clientId, OperationKind.Increment, key, Text(delta), Rejected, call, ret);

    /// <summary>A set-if-absent that answered whether it stored <paramref name="value"/>.</summary>
    public static Operation SetIfAbsent(int clientId, string key, string value, bool stored, long call, long ret) =>
        new(clientId, OperationKind.SetIfAbsent, key, value, Flag(stored), call, ret);

    /// <summary>A set that answered the value before, <paramref name="previous"/> (null: missing).</summary>
    public static Operation GetSet(int clientId, string key, string value, string? previous, long call, long ret) =>
        new(clientId, OperationKind.GetSet, key, value, previous, call, ret);

    /// <summary>An append of <paramref name="suffix"/> that answered the new length.</summary>
    public static Operation Append(int clientId, string key, string suffix, long length, long call, long ret) =>
        new(clientId, OperationKind.Append, key, suffix, Text(length), call, ret);

    /// <summary>A float increment by <paramref name="delta"/> that answered <paramref name="result"/>.</summary>
    public static Operation IncrementByFloat(int clientId, string key, string delta, string result, long call, long ret) =>
        new(clientId, OperationKind.IncrementByFloat, key, delta, result, call, ret);

    /// <summary>A float increment the cache refused: a value or delta that is not a float, or an infinite sum.</summary>
    public static Operation RejectedIncrementByFloat(int clientId, string key, string delta, long call, long ret) =>
        new(clientId, OperationKind.IncrementByFloat, key, delta, Rejected, call, ret);

    /// <summary>A get-and-delete that answered the value before, <paramref name="previous"/> (null: missing).</summary>
    public static Operation GetDelete(int clientId, string key, string? previous, long call, long ret) =>
        new(clientId, OperationKind.GetDelete, key, null, previous, call, ret);

    /// <summary>A rename of <paramref name="source"/> to <paramref name="destination"/> that answered OK, or "no such key" when <paramref name="renamed"/> is false.</summary>
    public static Operation Rename(int clientId, string source, string destination, bool renamed, long call, long ret) =>
        new(clientId, OperationKind.Rename, source, destination, renamed ? Renamed : Rejected, call, ret);

    /// <summary>An expire that answered whether the key existed.</summary>
    public static Operation Expire(int clientId, string key, long seconds, bool existed, long call, long ret) =>
        new(clientId, OperationKind.Expire, key, Text(seconds), Flag(existed), call, ret);

    /// <summary>A set whose outcome is unknown (timeout, connection failure, error, "unavailable").</summary>
    public static Operation UnknownSet(int clientId, string key, string value, long call) =>
        new(clientId, OperationKind.Set, key, value, null, call, Never);

    /// <summary>A delete whose outcome is unknown.</summary>
    public static Operation UnknownDelete(int clientId, string key, long call) =>
        new(clientId, OperationKind.Delete, key, null, null, call, Never);

    /// <summary>An increment whose outcome is unknown.</summary>
    public static Operation UnknownIncrement(int clientId, string key, long delta, long call) =>
        new(clientId, OperationKind.Increment, key, Text(delta), null, call, Never);

    /// <summary>A write of any kind whose outcome is unknown; <paramref name="input"/> as the kind takes it.</summary>
    public static Operation Unknown(int clientId, OperationKind kind, string key, string? input, long call) =>
        new(clientId, kind, key, input, null, call, Never);

    /// <summary>The same write, with its outcome forgotten.</summary>
    public Operation WithUnknownOutcome() => this with { Output = null, Return = Never, Pending = false };

    /// <summary>The same operation, not answered yet: it may or may not have taken effect, with this answer (<see cref="Pending"/>).</summary>
    public Operation AsPending() => this with { Return = Never, Pending = true };

    /// <summary>One line, raw timestamps: <c>client 2 get "k" -> "v" [10..25]</c>.</summary>
    public override string ToString() =>
        $"client {ClientId} {Describe()} [{Call}..{(OutcomeUnknown ? "?" : Return.ToString(CultureInfo.InvariantCulture))}]";

    /// <summary>What it did and answered, without times: <c>set "k" = "v"</c>, <c>get "k" -> missing</c>.</summary>
    public string Describe()
    {
        string key = Quote(Key);
        bool answered = AnswerKnown && (Output is not null || Kind is OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete);
        string answer = !answered ? ""
            : Output == Rejected && Kind is OperationKind.Increment or OperationKind.IncrementByFloat or OperationKind.Rename ? " -> refused"
            : Kind switch
            {
                OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete or OperationKind.IncrementByFloat => $" -> {Quote(Output)}",
                OperationKind.SetIfAbsent => Output == "1" ? " -> stored" : " -> not stored",
                OperationKind.CountedDelete or OperationKind.Expire => $" -> {Output}",
                OperationKind.Increment or OperationKind.Append => $" -> {Output}",
                OperationKind.Rename => " -> OK",
                _ => "",
            };
        return Kind switch
        {
            OperationKind.Set => $"set {key} = {Quote(Input)}",
            OperationKind.Get => $"get {key}{answer}",
            OperationKind.Delete => $"delete {key}",
            OperationKind.CountedDelete => $"delete {key}{answer}",
            OperationKind.Increment => $"incr {key} by {Input}{answer}",
            OperationKind.SetIfAbsent => $"setnx {key} = {Quote(Input)}{answer}",
            OperationKind.GetSet => $"getset {key} = {Quote(Input)}{answer}",
            OperationKind.Append => $"append {key} += {Quote(Input)}{answer}",
            OperationKind.IncrementByFloat => $"incrbyfloat {key} by {Input}{answer}",
            OperationKind.GetDelete => $"getdel {key}{answer}",
            OperationKind.Rename => $"rename {key} to {Quote(Input)}{answer}",
            OperationKind.Expire => $"expire {key} in {Input} s{answer}",
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

    private static string Flag(bool value) => value ? "1" : "0";
}
