namespace EchoCache.CommandLine;

/// <summary>Who reads the answer.</summary>
internal enum OutputStyle
{
    /// <summary>A person at the dialogue: the original phrasing (<c>Response (0): 'tanson'</c>).</summary>
    Interactive,
    /// <summary>A script using the one-shot form: just the result (<c>tanson</c>).</summary>
    Script,
}
