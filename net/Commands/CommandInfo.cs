using System.Text;

namespace EchoCache.Net.Commands;

/// <summary>
/// One row of the command table (<see cref="CommandTable"/>): what dispatch needs on both tiers (id, arity),
/// where the keys are (Redis's first key, last key, step), how the orchestrator routes it and the shape of its
/// reply, and what COMMAND INFO / DOCS report, in Redis 7's terms. Arity counts the command name: n means exactly
/// n arguments, -n at least n.
/// </summary>
public sealed class CommandInfo
{
    /// <summary>Creates a row; <see cref="Route"/>, <see cref="Reply"/> and <see cref="SplitsPerKey"/> are set by initializers.</summary>
    public CommandInfo(string name, CommandId id, int arity, string flags, int firstKey, int lastKey, int step,
        string categories, string group, string summary, CommandInfo[]? subcommands = null)
    {
        Name = name;
        NameBytes = Encoding.ASCII.GetBytes(name);
        int bar = name.IndexOf('|');
        Key = bar < 0 ? NameBytes : NameBytes[(bar + 1)..];
        Id = id;
        Arity = arity;
        Flags = flags.Length == 0 ? [] : flags.Split(' ');
        FirstKey = firstKey;
        LastKey = lastKey;
        Step = step;
        Categories = categories.Length == 0 ? [] : categories.Split(' ');
        Group = group;
        Summary = summary;
        Subcommands = subcommands ?? [];
        RunsBeforeAuth = Array.IndexOf(Flags, "no_auth") >= 0;
    }

    /// <summary>Redis's full name, lower case: "get", or "client|setname" for a subcommand.</summary>
    public string Name { get; }

    /// <summary><see cref="Name"/> as bytes, for error messages.</summary>
    public byte[] NameBytes { get; }

    /// <summary>What a request names it by: the command, or for a subcommand the part after '|'.</summary>
    public byte[] Key { get; }

    /// <summary>What both tiers dispatch on.</summary>
    public CommandId Id { get; }

    /// <summary>Redis's arity: n exactly n arguments (the name included), -n at least n.</summary>
    public int Arity { get; }

    /// <summary>Redis's command flags ("readonly", "write", "fast" …), as COMMAND INFO reports them.</summary>
    public string[] Flags { get; }

    /// <summary>Index of the first key argument; 0 when the command takes no key.</summary>
    public int FirstKey { get; }

    /// <summary>Index of the last key argument; negative counts from the end (-1: the last argument).</summary>
    public int LastKey { get; }

    /// <summary>Distance between key arguments (2 for MSET's key, value pairs).</summary>
    public int Step { get; }

    /// <summary>ACL categories, as COMMAND INFO reports them.</summary>
    public string[] Categories { get; }

    /// <summary>COMMAND DOCS's group.</summary>
    public string Group { get; }

    /// <summary>COMMAND DOCS's summary.</summary>
    public string Summary { get; }

    /// <summary>A container's subcommands (CLIENT, CONFIG, COMMAND); empty otherwise.</summary>
    public CommandInfo[] Subcommands { get; }

    /// <summary>How the orchestrator serves it.</summary>
    public ClusterRoute Route { get; init; }

    /// <summary>The shape of its reply.</summary>
    public ReplyShape Reply { get; init; }

    /// <summary>
    /// A multi-key command the orchestrator may split into one call per key when its keys live on different replica
    /// pairs (MGET, MSET, DEL, UNLINK, EXISTS, TOUCH), folding the replies by <see cref="Reply"/>. Any other
    /// multi-key command over more than one pair answers CROSSSLOT.
    /// </summary>
    public bool SplitsPerKey { get; init; }

    /// <summary>
    /// Whether a connection may run it before it has authenticated: Redis's "no_auth" commands (AUTH, HELLO, QUIT),
    /// and PING, which this server answers too so a health check needs no password (Redis 7.0 answers it NOAUTH).
    /// </summary>
    public bool RunsBeforeAuth { get; init; }

    /// <summary>Whether the command writes (Redis's "write" flag).</summary>
    public bool IsWrite => Array.IndexOf(Flags, "write") >= 0;

    /// <summary>Whether <paramref name="count"/> arguments (the name included) satisfy the arity.</summary>
    public bool AcceptsCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>
    /// The index just past the last key argument of a request of <paramref name="count"/> arguments; with
    /// <see cref="FirstKey"/> and <see cref="Step"/> it enumerates the keys. 0 when the command takes none.
    /// </summary>
    public int KeyEnd(int count)
    {
        if (FirstKey == 0)
        {
            return 0;
        }
        int last = LastKey < 0 ? count + LastKey : Math.Min(LastKey, count - 1);
        return last + 1;
    }

    /// <summary>The subcommand named <paramref name="name"/> (any case), or null.</summary>
    public CommandInfo? FindSubcommand(ReadOnlySpan<byte> name)
    {
        foreach (CommandInfo sub in Subcommands)
        {
            if (Ascii.EqualsIgnoreCase(name, sub.Key))
            {
                return sub;
            }
        }
        return null;
    }
}
