using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>Builds RESP requests with <see cref="RespWriter"/>, as a client would send them.</summary>
internal static class RespFrames
{
    public static byte[] Command(params string[] arguments) =>
        Command(arguments.Select(a => Encoding.UTF8.GetBytes(a)).ToArray());

    public static byte[] Command(params byte[][] arguments)
    {
        var buffer = new byte[64 + arguments.Sum(a => a.Length + 32)];
        Assert.True(RespWriter.TryWriteArrayHeader(arguments.Length, buffer, out int length));
        foreach (byte[] argument in arguments)
        {
            Assert.True(RespWriter.TryWriteBulkString(argument, buffer.AsSpan(length), out int written));
            length += written;
        }
        return buffer[..length];
    }

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>The commands a cache client sends, in the shapes they take.</summary>
    public static IEnumerable<string[]> Commands()
    {
        yield return ["PING"];
        yield return ["PING", "hello"];
        yield return ["ECHO", "hi there"];
        yield return ["GET", "user:1001"];
        yield return ["SET", "user:1001", "tanson"];
        yield return ["SET", "k", "v", "EX", "60", "NX"];
        yield return ["SET", "k", "v", "PX", "1500", "XX", "GET"];
        yield return ["SET", "k", "v", "KEEPTTL"];
        yield return ["SETNX", "k", "v"];
        yield return ["SETEX", "k", "10", "v"];
        yield return ["GETSET", "k", "v"];
        yield return ["GETDEL", "k"];
        yield return ["GETEX", "k", "PERSIST"];
        yield return ["DEL", "a", "b", "c"];
        yield return ["EXISTS", "a"];
        yield return ["INCR", "counter"];
        yield return ["DECR", "counter"];
        yield return ["INCRBY", "counter", "-5"];
        yield return ["DECRBY", "counter", "9223372036854775807"];
        yield return ["EXPIRE", "k", "30"];
        yield return ["PEXPIRE", "k", "30000"];
        yield return ["TTL", "k"];
        yield return ["PERSIST", "k"];
        yield return ["TOUCH", "a", "b"];
        yield return ["MGET", "a", "b", "c"];
        yield return ["MSET", "a", "1", "b", "2"];
        yield return ["INFO"];
        yield return ["INFO", "stats"];
        yield return ["DBSIZE"];
        yield return ["FLUSHALL"];
        yield return ["AUTH", "secret"];
        yield return ["AUTH", "admin", "secret"];
        yield return ["HELLO", "3"];
        yield return ["CLIENT", "SETNAME", "app"];
        yield return ["COMMAND", "DOCS"];
        yield return ["SELECT", "0"];
        yield return ["QUIT"];
        yield return ["SET", "", ""];
        yield return ["SET", "key with spaces", "value\r\nwith\r\nCRLF"];
    }
}
