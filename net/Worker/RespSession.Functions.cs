using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// FUNCTION: there is no scripting, so there are never any functions; FLUSH succeeds at removing none (clients and
// Redis's own test suite send it to start from a clean server), and HELP says what there is.
public sealed partial class RespSession
{
    private static readonly string[] FunctionHelpLines =
    [
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries (there is no scripting here: there are never any).",
        "HELP",
        "    Print this help.",
    ];

    /// <summary>FUNCTION FLUSH [ASYNC|SYNC], with Redis 7.0's argument checks: +OK, nothing to delete.</summary>
    private void FunctionFlush(in RespRequest request)
    {
        if (request.Count > 3)
        {
            // Redis's addReplySubcommandSyntaxError: the subcommand as given, the container upper case.
            ReadOnlySpan<byte> sub = request[1];
            WriteError("ERR unknown subcommand or wrong number of arguments for '"u8, sub[..Math.Min(sub.Length, 128)],
                "'. Try FUNCTION HELP."u8);
            return;
        }
        if (request.Count == 3 && !Ascii.EqualsIgnoreCase(request[2], "SYNC"u8) &&
            !Ascii.EqualsIgnoreCase(request[2], "ASYNC"u8))
        {
            WriteError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"u8);
            return;
        }
        WriteOk();
    }
}
