using System.Text;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// One entry of the command table: what dispatch needs (id, arity) and what COMMAND INFO / DOCS report,
    /// in Redis 7's terms. Arity counts the command name: n means exactly n arguments, -n at least n.
    /// </summary>
    private sealed class CommandInfo
    {
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
        }

        /// <summary>Redis's full name, lower case: "get", or "client|setname" for a subcommand.</summary>
        public string Name { get; }

        /// <summary><see cref="Name"/> as bytes, for error messages.</summary>
        public byte[] NameBytes { get; }

        /// <summary>What a request names it by: the command, or for a subcommand the part after '|'.</summary>
        public byte[] Key { get; }

        public CommandId Id { get; }

        public int Arity { get; }

        public string[] Flags { get; }

        public int FirstKey { get; }

        public int LastKey { get; }

        public int Step { get; }

        public string[] Categories { get; }

        public string Group { get; }

        public string Summary { get; }

        public CommandInfo[] Subcommands { get; }

        /// <summary>Whether <paramref name="count"/> arguments (the name included) satisfy the arity.</summary>
        public bool AcceptsCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

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
}
