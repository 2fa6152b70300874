using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.CommandLine;

/// <summary>Turns a server reply into the words shown for it and the exit code it means. Pure: no I/O.</summary>
internal static class ReplyFormatter
{
    /// <summary>Formats <paramref name="reply"/> to <paramref name="command"/>; <paramref name="nowUnixMs"/> is the clock ttl counts from.</summary>
    public static CommandOutcome Format(CliCommand command, EchoReply reply, OutputStyle style, long nowUnixMs) =>
        reply.Status switch
        {
            BinaryStatus.Ok => FormatOk(command, reply, style, nowUnixMs),
            BinaryStatus.NotFound => new CommandOutcome($"Not found: '{command.Key}'", ExitCodes.NotFound),
            BinaryStatus.Unavailable => Error("Unavailable: no live replica holds this key; try again later"),
            BinaryStatus.TooLarge => Error(
                $"Too large: a key has at most {CommandParser.MaxKeyBytes} bytes and a stored item at most 1 MiB", reply),
            BinaryStatus.NotANumber => Error($"Not a number: '{command.Key}' does not hold a 64-bit whole number"),
            BinaryStatus.Overflow => Error($"Overflow: the result would not fit in 64 bits; '{command.Key}' is unchanged"),
            BinaryStatus.Busy => Error("Busy: the server is overloaded or could not free memory; try again later", reply),
            BinaryStatus.AuthRequired => new CommandOutcome(CommandHelp.PasswordNeeded, ExitCodes.AuthenticationFailed),
            BinaryStatus.AuthFailed => new CommandOutcome(WithReason("Authentication failed: the server refused the password", reply),
                ExitCodes.AuthenticationFailed),
            BinaryStatus.BadRequest => Error("Bad request: the server refused the request", reply),
            BinaryStatus.ServerError => Error("Server error: the request failed inside the server", reply),
            _ => Error($"Unexpected answer from the server: {reply.Status}", reply),
        };

    private static CommandOutcome FormatOk(CliCommand command, EchoReply reply, OutputStyle style, long nowUnixMs)
    {
        switch (command.Kind)
        {
            case CliCommandKind.Set:
                return Success("Success");
            case CliCommandKind.Get:
                string value = Encoding.UTF8.GetString(reply.Value);
                return Success(style == OutputStyle.Interactive ? $"Response ({(int)reply.Status}): '{value}'" : value);
            case CliCommandKind.Delete:
                return Success("Deleted");
            case CliCommandKind.TimeToLive:
                return Success(FormatTimeToLive(reply.Expiry, nowUnixMs, style));
            case CliCommandKind.Increment or CliCommandKind.Decrement:
                return reply.Value.Length == BinaryProtocol.CounterSize
                    ? Success(BinaryPrimitives.ReadInt64LittleEndian(reply.Value).ToString(CultureInfo.InvariantCulture))
                    : Error($"Unexpected answer from the server: a counter of {reply.Value.Length} bytes");
            default:
                return Error($"Unexpected answer from the server to {command.Name}");
        }
    }

    /// <summary>
    /// A read carries the item's absolute expiry (Unix ms), or 0 when it never expires. Seconds left round up, so a
    /// key about to expire shows 1, never 0 (it still reads as present).
    /// </summary>
    private static string FormatTimeToLive(long expiresAtUnixMs, long nowUnixMs, OutputStyle style)
    {
        if (expiresAtUnixMs == 0)
        {
            return "no expiry";
        }
        long seconds = Math.Max(1, (expiresAtUnixMs - nowUnixMs + 999) / 1000);
        string number = seconds.ToString(CultureInfo.InvariantCulture);
        return style == OutputStyle.Script ? number : number + (seconds == 1 ? " second left" : " seconds left");
    }

    private static CommandOutcome Success(string text) => new(text, ExitCodes.Success);

    private static CommandOutcome Error(string text) => new(text, ExitCodes.ServerError);

    /// <summary>An error answer our words cannot make precise; the server's own reason, when it gave one, follows.</summary>
    private static CommandOutcome Error(string text, EchoReply reply) => Error(WithReason(text, reply));

    private static string WithReason(string text, EchoReply reply) =>
        reply.Value.Length > 0 ? $"{text} (server: {Encoding.ASCII.GetString(reply.Value)})" : text;
}
