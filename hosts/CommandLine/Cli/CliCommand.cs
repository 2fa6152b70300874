namespace EchoCache.CommandLine;

/// <summary>One parsed command, ready to execute.</summary>
/// <param name="Kind">What it asks for.</param>
/// <param name="Key">The key (empty for help and quit).</param>
/// <param name="Value">The value to store (set only).</param>
/// <param name="TimeToLive">The expiry a set asks for; null: never expires.</param>
/// <param name="Delta">What incr or decr adds to the number, signed: the parser has already negated decr's delta.</param>
internal sealed record CliCommand(CliCommandKind Kind, string Key = "", string Value = "", TimeSpan? TimeToLive = null,
    long Delta = 0)
{
    /// <summary>The command's name as typed in help and messages.</summary>
    public string Name => Kind switch
    {
        CliCommandKind.Set => "set",
        CliCommandKind.Get => "get",
        CliCommandKind.Delete => "del",
        CliCommandKind.TimeToLive => "ttl",
        CliCommandKind.Increment => "incr",
        CliCommandKind.Decrement => "decr",
        CliCommandKind.Help => "help",
        _ => "quit",
    };

    /// <summary>
    /// Whether running it twice leaves the same state as running it once, so it may be sent again after the
    /// connection dropped before its answer came. incr and decr may not: the first one may have been applied.
    /// </summary>
    public bool IsSafeToRepeat => Kind is not (CliCommandKind.Increment or CliCommandKind.Decrement);
}
