using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>Numeric fields of a server's INFO (a worker's or the orchestrator's), read and waited on.</summary>
internal static class InfoFields
{
    /// <summary>The value of <paramref name="field"/> (e.g. <c>connected_clients</c>) in one INFO on <paramref name="connection"/>.</summary>
    public static long Read(RespConnection connection, string field)
    {
        RespReply reply = connection.Call("INFO");
        Assert.True(reply.Type == '$' && reply.Text is not null, $"INFO answered {reply}");
        foreach (string line in reply.Text.Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"INFO has no {field}:\n{reply.Text}");
    }

    /// <summary>Polls INFO until <paramref name="field"/> equals <paramref name="value"/>; fails after <paramref name="timeout"/>.</summary>
    public static void WaitFor(RespConnection connection, string field, long value, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        long seen;
        while ((seen = Read(connection, field)) != value)
        {
            Assert.True(elapsed.Elapsed < timeout, $"{field} was {seen}, not {value}, after {timeout.TotalSeconds:0} s");
            Thread.Sleep(10);
        }
    }
}
