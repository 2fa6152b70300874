using System.Globalization;
using System.Text;

namespace EchoCache.CommandLine;

/// <summary>
/// Turns words into a <see cref="CliCommand"/>, or into the message that tells the user what is wrong. Pure: no
/// I/O, no connection; the interactive dialogue and the one-shot form both use it.
/// </summary>
internal static class CommandParser
{
    /// <summary>The longest key the protocol carries, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 250;

    /// <summary>Parses one interactive line (quotes allowed, see <see cref="LineTokenizer"/>).</summary>
    public static ParseResult ParseLine(string line)
    {
        var words = new List<string>();
        return LineTokenizer.TryTokenize(line, words, out string? error) ? Parse(words) : ParseResult.Fail(error!);
    }

    /// <summary>Parses words already split (the one-shot form gets them from the shell).</summary>
    public static ParseResult Parse(IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return default;
        }
        string name = words[0];
        int arguments = words.Count - 1;
        switch (name.ToLowerInvariant())
        {
            case "set":
                return arguments is 2 or 3 ? ParseSet(words) : Usage(CommandHelp.SetUsage, QuoteHint);
            case "get":
                return ParseKeyOnly(words, CliCommandKind.Get, CommandHelp.GetUsage);
            case "del":
                return ParseKeyOnly(words, CliCommandKind.Delete, CommandHelp.DeleteUsage);
            case "ttl":
                return ParseKeyOnly(words, CliCommandKind.TimeToLive, CommandHelp.TimeToLiveUsage);
            case "incr":
                return ParseCounter(words, CliCommandKind.Increment, CommandHelp.IncrementUsage);
            case "decr":
                return ParseCounter(words, CliCommandKind.Decrement, CommandHelp.DecrementUsage);
            case "help":
                return ParseResult.Ok(new CliCommand(CliCommandKind.Help));
            case "quit" or "exit":
                return ParseResult.Ok(new CliCommand(CliCommandKind.Quit));
            default:
                return ParseResult.Fail(CommandHelp.UnknownCommand(name));
        }
    }

    private const string QuoteHint = "quote a value with spaces: set greeting \"hello world\"";

    private static ParseResult ParseSet(IReadOnlyList<string> words)
    {
        if (CheckKey(words[1]) is { } keyError)
        {
            return ParseResult.Fail(keyError);
        }
        TimeSpan? timeToLive = null;
        if (words.Count == 4)
        {
            string text = words[3];
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
                || seconds < 1 || seconds > CommandHelp.MaxTimeToLiveSeconds)
            {
                return Usage(CommandHelp.SetUsage,
                    $"'{text}' is not a ttl in whole seconds from 1 to {CommandHelp.MaxTimeToLiveSeconds}; {QuoteHint}");
            }
            timeToLive = TimeSpan.FromSeconds(seconds);
        }
        return ParseResult.Ok(new CliCommand(CliCommandKind.Set, words[1], words[2], timeToLive));
    }

    private static ParseResult ParseKeyOnly(IReadOnlyList<string> words, CliCommandKind kind, string usage)
    {
        if (words.Count != 2)
        {
            return Usage(usage);
        }
        return CheckKey(words[1]) is { } keyError ? ParseResult.Fail(keyError) : ParseResult.Ok(new CliCommand(kind, words[1]));
    }

    private static ParseResult ParseCounter(IReadOnlyList<string> words, CliCommandKind kind, string usage)
    {
        if (words.Count is not (2 or 3))
        {
            return Usage(usage);
        }
        if (CheckKey(words[1]) is { } keyError)
        {
            return ParseResult.Fail(keyError);
        }
        long delta = 1;
        if (words.Count == 3)
        {
            string text = words[2];
            // decr negates its delta, so it cannot take long.MinValue.
            long min = kind == CliCommandKind.Decrement ? -long.MaxValue : long.MinValue;
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out delta) || delta < min)
            {
                return Usage(usage, $"'{text}' is not a whole number from {min} to {long.MaxValue}");
            }
        }
        return ParseResult.Ok(new CliCommand(kind, words[1], Delta: kind == CliCommandKind.Decrement ? -delta : delta));
    }

    /// <summary>Null for a key the protocol can carry; otherwise the reason it cannot.</summary>
    private static string? CheckKey(string key)
    {
        if (key.Length == 0)
        {
            return "The key is empty: a key has 1 to 250 bytes.";
        }
        int bytes = Encoding.UTF8.GetByteCount(key);
        return bytes > MaxKeyBytes ? $"The key has {bytes} bytes: a key has 1 to {MaxKeyBytes} bytes." : null;
    }

    private static ParseResult Usage(string usage, string? why = null) =>
        ParseResult.Fail(why == null ? CommandHelp.UsageOf(usage) : $"{CommandHelp.UsageOf(usage)} ({why})");
}
