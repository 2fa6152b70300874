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
    private const long TimeToLiveMs = 3000;
    private const int ReadsAlive = 10;
    private const int ReadsExpired = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_key_expires_at_one_instant_on_both_copies_whatever_their_clocks_say()
    {
        using HostProcess ahead = HostProcess.StartWorker(out int p0, "--clock-offset-ms", "5000");
        using HostProcess behind = HostProcess.StartWorker(out int p1, "--clock-offset-ms", "-5000");
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        using RespConnection client = RespConnection.Connect(port, Timeout);

        // A plain write (the orchestrator makes the time to live absolute), a decided one (the deciding copy does),
        // and an EXPIRE of an existing key (decided too), each given 3 s to live. The orchestrator's clock is this
        // machine's wall clock: each key expires no sooner than 3 s after the instant just before its request went,
        // and no later than 3 s after the last answer.
        var given = new Dictionary<string, long>();
        given["plain"] = Now();
        Assert.True(client.Call("SET", "plain", "v", "px", "3000").IsStatus("OK"));
        given["decided"] = Now();
        Assert.True(client.Call("SET", "decided", "v", "nx", "px", "3000").IsStatus("OK"));
        Assert.True(client.Call("SET", "expired", "v").IsStatus("OK"));
        given["expired"] = Now();
        Assert.Equal(1, client.Call("EXPIRE", "expired", "3").Integer);
        long allGiven = Now();
        Assert.InRange(client.Call("PTTL", "plain").Integer, 1, TimeToLiveMs);

        // Reads go round the keys; the orchestrator alternates reads between the copies (three keys: each key's reads
        // alternate too). Each read is judged by when it was sent and answered, whatever the machine's speed:
        // - answered before its key's 3 s were up: it must find the key (the copy 5 s ahead would call it expired);
        // - sent after every key's 3 s were up: it must find it expired (the copy 5 s behind would serve it 5 s more);
        // - in between, once a read has found a key expired, every later one must too.
        var alive = given.Keys.ToDictionary(key => key, _ => 0);
        var expiredSince = new Dictionary<string, long>();
        var expiredReads = given.Keys.ToDictionary(key => key, _ => 0);
        var clock = Stopwatch.StartNew();
        while (expiredReads.Values.Any(reads => reads < ReadsExpired))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(TimeToLiveMs) + Timeout, "the keys never expired");
            foreach (string key in given.Keys)
            {
                long sent = Now();
                RespReply reply = client.Call("GET", key);
                long answered = Now();
                if (reply.Text == "v")
                {
                    Assert.False(expiredSince.ContainsKey(key), $"{key} read present {answered - expiredSince.GetValueOrDefault(key)} ms after a read found it expired");
                    Assert.True(sent <= allGiven + TimeToLiveMs, $"{key} read present, asked {sent - given[key]} ms after it was given 3 s to live");
                    if (answered < given[key] + TimeToLiveMs)
                    {
                        alive[key]++;
                    }
                }
                else
                {
                    Assert.True(reply.IsNil, $"GET {key} answered {reply}");
                    Assert.True(answered >= given[key] + TimeToLiveMs, $"{key} read expired {answered - given[key]} ms after it was given 3 s to live");
                    expiredSince.TryAdd(key, answered);
                    expiredReads[key]++;
                }
            }
            if (alive.Values.All(reads => reads >= ReadsAlive))
            {
                Thread.Sleep(10); // enough reads within the 3 s: the rest only waits for the expiry
            }
        }
        Assert.True(alive.Values.All(reads => reads >= ReadsAlive),
            $"too few reads answered within the 3 s to tell (of {ReadsAlive} each): {string.Join(", ", alive.Select(a => $"{a.Key} {a.Value}"))}");
        foreach (string key in given.Keys)
        {
            Assert.Equal(-2, client.Call("PTTL", key).Integer);
        }
        Assert.Equal(0, client.Call("EXISTS", "plain", "decided", "expired").Integer);
    }

    /// <summary>The wall clock in Unix milliseconds: the clock the orchestrator stamps expiries with, on this machine.</summary>
    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
