using EchoCache.Net.Commands;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Maps keys to slots and slots to replica pairs (docs/consistency.md). A key's slot is its stable 64-bit
/// hash (of its hash tag, if it has one: <see cref="KeySlot"/>) modulo <see cref="SlotCount"/>. With workers
/// w0 … wN-1 (N ≥ 3), pair i is (w_i, w_(i+1) mod N) and slot s belongs to pair s mod N: every worker is the
/// primary of one pair and the partner of the one before, so each holds 2/N of the keys. Two workers form one
/// pair, (w0, w1), that holds every key, as in the original two-worker design.
/// </summary>
public sealed class SlotMap
{
    /// <summary>Number of slots.</summary>
    public const int SlotCount = KeySlot.Count;

    /// <summary>Creates the map for <paramref name="workerCount"/> workers (at least 2).</summary>
    public SlotMap(int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 2);
        WorkerCount = workerCount;
        PairCount = workerCount == 2 ? 1 : workerCount;
    }

    /// <summary>Number of workers.</summary>
    public int WorkerCount { get; }

    /// <summary>Number of replica pairs: one with two workers, as many as workers otherwise.</summary>
    public int PairCount { get; }

    /// <summary>The slot of a key.</summary>
    public static int SlotOf(ReadOnlySpan<byte> key) => KeySlot.Of(key);

    /// <summary>The pair that holds a slot.</summary>
    public int PairOf(int slot) => slot % PairCount;

    /// <summary>The filter that admits, on a worker, only the keys of pair <paramref name="pair"/>.</summary>
    public KeyFilter FilterOf(int pair) => new(pair, PairCount);

    /// <summary>The primary of a slot's pair.</summary>
    public int PrimaryOf(int slot) => PairOf(slot);

    /// <summary>The partner of a slot's pair.</summary>
    public int PartnerOf(int slot) => (PairOf(slot) + 1) % WorkerCount;

    /// <summary>Whether <paramref name="worker"/> holds <paramref name="slot"/> (as primary or partner).</summary>
    public bool Holds(int worker, int slot) => PrimaryOf(slot) == worker || PartnerOf(slot) == worker;

    /// <summary>
    /// The workers that hold copies of what <paramref name="worker"/> holds: its partner in the pair it leads,
    /// and the primary of the pair it is partner of (the same worker when N = 2). A returning worker is
    /// resynced from them.
    /// </summary>
    public IReadOnlyList<int> PartnersOf(int worker)
    {
        int next = (worker + 1) % WorkerCount;
        int previous = (worker + WorkerCount - 1) % WorkerCount;
        return next == previous ? [next] : [next, previous];
    }

    /// <summary>Whether, for a worker being resynced from <paramref name="source"/>, a slot comes from that source.</summary>
    public bool SourceServes(int worker, int source, int slot) => Holds(worker, slot) && Holds(source, slot);
}
