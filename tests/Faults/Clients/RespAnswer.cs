namespace EchoCache.Faults.Clients;

/// <summary>
/// One RESP reply as a campaign client sees it: its type byte ('+', '-', ':', '$', '*', '_') and its text (a
/// status or error line, an integer's digits, a bulk string; null for a nil bulk, a null or an array).
/// </summary>
internal readonly record struct RespAnswer(char Type, string? Text)
{
    /// <summary>A status reply with this text: +OK.</summary>
    public bool IsStatus(string text) => Type == '+' && Text == text;

    /// <summary>An error reply.</summary>
    public bool IsError => Type == '-';

    /// <summary>An integer reply.</summary>
    public bool IsInteger => Type == ':';

    /// <summary>A bulk string (null when nil) or a null.</summary>
    public bool IsBulk => Type is '$' or '_';

    /// <summary>The integer of an integer reply.</summary>
    public long Integer => long.Parse(Text!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The orchestrator refused the command before sending it to any copy: no copy of the key's pair was up
    /// (docs/protocol.md, "Errors"). It took no effect.
    /// </summary>
    public bool IsRefusedUnsent => IsError && Text == "UNAVAILABLE no live replica holds this key";

    /// <summary>An error that says the cluster could not serve the command (it may or may not have taken effect).</summary>
    public bool IsUnavailable => IsError && Text is { } text
        && (text.StartsWith("UNAVAILABLE", StringComparison.Ordinal) || text.StartsWith("BUSY", StringComparison.Ordinal)
            || text.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) || text.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || text.Contains("could not apply", StringComparison.Ordinal) || text.Contains("could not run the command", StringComparison.Ordinal));

    /// <inheritdoc/>
    public override string ToString() => $"{Type}{Text ?? "(nil)"}";
}
