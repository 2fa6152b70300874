using System.Diagnostics;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Expiry across machines (docs/consistency.md, "Expiry across machines"): the two copies of a key run on workers
/// whose own clocks are 5 s apart (worker --clock-offset-ms), one ahead of real time and one behind. The
/// orchestrator's clock travels with every request, so a key reads alive on both copies until its expiry and
/// expired on both after it: never expired on one and alive on the other.
/// </summary>
public sealed class ExpiryClockTests
{
    private const int ReadsPerRound = 20;

    [Fact]
    public void A_key_expires_at_one_instant_on_both_copies_whatever_their_clocks_say()
    {
        using HostProcess ahead = HostProcess.StartWorker(out int p0, "--clock-offset-ms", "5000");
        using HostProcess behind = HostProcess.StartWorker(out int p1, "--clock-offset-ms", "-5000");
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);

        // A plain write (the orchestrator makes the time to live absolute), a decided one (the deciding copy does),
        // and an EXPIRE of an existing key (decided too).
        Assert.Equal("OK", RedisCli.Run(port, "set", "plain", "v", "px", "3000"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "decided", "v", "nx", "px", "3000"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "expired", "v"));
        Assert.Equal("1", RedisCli.Run(port, "expire", "expired", "3"));
        var started = Stopwatch.StartNew();

        // Reads alternate between the copies; with each copy on its own clock, the one 5 s ahead would call every
        // key expired at once.
        foreach (string key in new[] { "plain", "decided", "expired" })
        {
            string reads = ReadMany(port, key);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), "the reads took too long to say anything");
            Assert.Equal(string.Join('\n', Enumerable.Repeat("v", ReadsPerRound)), reads);
        }
        Assert.InRange(long.Parse(RedisCli.Run(port, "pttl", "plain"), System.Globalization.CultureInfo.InvariantCulture), 1, 3000);

        // Wait until a read finds a key expired; from then on every read, on either copy, must find it expired
        // (the copy 5 s behind would otherwise serve it for 5 s more).
        foreach (string key in new[] { "plain", "decided", "expired" })
        {
            while (RedisCli.Run(port, "get", key) == "v")
            {
                Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"{key} never expired");
                Thread.Sleep(50);
            }
            Assert.Equal("", ReadMany(port, key)); // redis-cli prints a nil as an empty line
            Assert.Equal("-2", RedisCli.Run(port, "pttl", key));
        }
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(2.9), $"keys with 3 s to live expired after {started.Elapsed}");
        Assert.Equal("0", RedisCli.Run(port, "exists", "plain", "decided", "expired"));
    }

    /// <summary>
    /// GETs of one key, pipelined on one connection (the orchestrator alternates them between the copies), as
    /// redis-cli prints them: one line each, the trailing empty lines of nils trimmed.
    /// </summary>
    private static string ReadMany(int port, string key) =>
        RedisCli.RunWithInput(port, string.Concat(Enumerable.Repeat($"GET {key}\n", ReadsPerRound)));
}
