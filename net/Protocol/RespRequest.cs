using System.Text;

namespace EchoCache.Net.Protocol;

/// <summary>
/// One parsed RESP request: its arguments, the first being the command name. Arguments point into the parser's
/// input (an inline command with quotes points into the parser's scratch buffer instead), so the request is valid
/// until the input changes or the parser parses again. A request with no argument (<c>*0</c>, <c>*-1</c>, an empty
/// inline line) is consumed and gets no reply, as in Redis.
/// </summary>
public readonly ref struct RespRequest
{
    private readonly ReadOnlySpan<byte> _source;
    private readonly ReadOnlySpan<RespArgument> _arguments;

    internal RespRequest(ReadOnlySpan<byte> source, ReadOnlySpan<RespArgument> arguments, bool isInline)
    {
        _source = source;
        _arguments = arguments;
        IsInline = isInline;
    }

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count => _arguments.Length;

    /// <summary>Whether the request has no argument (to be ignored).</summary>
    public bool IsEmpty => _arguments.IsEmpty;

    /// <summary>Whether the request came as an inline command line rather than a multibulk array.</summary>
    public bool IsInline { get; }

    /// <summary>The argument at <paramref name="index"/> (0 is the command name).</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            RespArgument argument = _arguments[index];
            return _source.Slice(argument.Start, argument.Length);
        }
    }

    /// <summary>
    /// Copies where the arguments lie (offsets from the request's source) to <paramref name="destination"/>, so a
    /// request rebuilt from them over the same source bytes outlives the parser's next parse.
    /// </summary>
    internal void CopyArgumentsTo(Span<RespArgument> destination) => _arguments.CopyTo(destination);

    /// <summary>The command name (argument 0), or empty.</summary>
    public ReadOnlySpan<byte> Command => IsEmpty ? default : this[0];

    /// <summary>Whether argument <paramref name="index"/> equals <paramref name="text"/>, ignoring ASCII case.</summary>
    public bool ArgumentIs(int index, ReadOnlySpan<byte> text) =>
        (uint)index < (uint)_arguments.Length && Ascii.EqualsIgnoreCase(this[index], text);

    /// <summary>Whether the command name equals <paramref name="name"/>, ignoring ASCII case.</summary>
    public bool CommandIs(ReadOnlySpan<byte> name) => ArgumentIs(0, name);
}
