using System.Globalization;

namespace EchoCache.Faults.Clients;

/// <summary>
/// Which keys the clients work on. The hot keys change with every fault (a <em>round</em>), so each key's history
/// spans one fault and its recovery and the checker's search stays small however long the campaign runs: three hash
/// tags a round, two keys each (<c>{r7b}:x</c>, <c>{r7b}:y</c>), so renames stay within a slot while the tags spread
/// over the replica pairs. Write-once keys (<c>o:client:n</c>) are written once each and read back at the end.
/// </summary>
internal sealed class KeyPlan
{
    private static readonly string[] Tags = ["a", "b", "c"];
    private readonly int[] _roundAtRest;
    private int _round;

    /// <param name="clients">Clients 0 to <paramref name="clients"/> - 1 report when they are at rest.</param>
    public KeyPlan(int clients)
    {
        _roundAtRest = new int[clients];
    }

    /// <summary>The round now.</summary>
    public int Round => Volatile.Read(ref _round);

    /// <summary>Starts the next round; returns its number.</summary>
    public int NextRound() => Interlocked.Increment(ref _round);

    /// <summary>Client <paramref name="client"/> stands between two requests: it has none in flight.</summary>
    public void AtRest(int client) => Volatile.Write(ref _roundAtRest[client], Round);

    /// <summary>
    /// Whether every client has been at rest since <paramref name="round"/> began: no request picked in an earlier round
    /// is still in flight.
    /// </summary>
    public bool Settled(int round)
    {
        for (int client = 0; client < _roundAtRest.Length; client++)
        {
            if (Volatile.Read(ref _roundAtRest[client]) < round)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A hot key of the current round, with its partner (the other key of its tag, for renames).</summary>
    public (string Key, string Partner) HotKey(Random random)
    {
        int round = Round;
        string tag = Tags[random.Next(Tags.Length)];
        bool first = random.Next(2) == 0;
        return (Key(round, tag, first), Key(round, tag, !first));
    }

    /// <summary>Every hot key of rounds 0 to <see cref="Round"/>.</summary>
    public IEnumerable<string> AllHotKeys()
    {
        for (int round = 0; round <= Round; round++)
        {
            foreach (string tag in Tags)
            {
                yield return Key(round, tag, true);
                yield return Key(round, tag, false);
            }
        }
    }

    /// <summary>The round a hot key belongs to.</summary>
    public static int RoundOf(string key) =>
        int.Parse(key.AsSpan(2, key.IndexOf('}', StringComparison.Ordinal) - 3), CultureInfo.InvariantCulture);

    /// <summary>The write-once key number <paramref name="n"/> of client <paramref name="client"/>.</summary>
    public static string OnceKey(int client, long n) => string.Create(CultureInfo.InvariantCulture, $"o:{client}:{n}");

    private static string Key(int round, string tag, bool first) =>
        string.Create(CultureInfo.InvariantCulture, $"{{r{round}{tag}}}:{(first ? "x" : "y")}");
}
