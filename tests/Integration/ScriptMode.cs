namespace EchoCache.Tests.Integration;

/// <summary>How a <see cref="ScriptLine"/>'s reply is compared between servers.</summary>
public enum ScriptMode
{
    /// <summary>Byte for byte, as the server sent it.</summary>
    Exact,

    /// <summary>
    /// Prefix <c>~</c>: an array whose order is not defined (KEYS): its elements are sorted (ordinal, by bytes)
    /// before comparing. Any other reply (an error) is compared byte for byte.
    /// </summary>
    Unordered,

    /// <summary>
    /// Prefix <c>@</c>: a SCAN whose second argument is the first cursor. The command is sent again with each
    /// cursor returned until the cursor is "0"; the union of the keys, sorted and without repeats, is compared
    /// (cursors differ between servers). A reply that is not a SCAN page (an error) is compared byte for byte.
    /// </summary>
    ScanLoop,
}
