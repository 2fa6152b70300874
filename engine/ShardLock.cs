using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// A shard's lock: reentrant, taken with one compare-and-swap and released with a plain store.
/// <para>
/// Why not <see cref="Lock"/>: its release is an interlocked instruction, a full fence on x64, so every release
/// waits until the critical section's stores have left the store buffer. A set that overwrites a small item
/// writes the item's second cache line, which no load brought in, so the release waited for that line to come
/// from memory: measured, the set of a 32-byte value cost ~100 ns more than a get of the same key, and 0.63-0.66x
/// of that with a plain-store release (docs/memory.md). A plain store is a release on x64 and, through
/// <see cref="Volatile.Write(ref int, int)"/>, on arm64.
/// </para>
/// <para>
/// The cost of the plain release: a waiter cannot be woken reliably. The release's store and its check for
/// waiters may be reordered (store then load, the one reordering x64 allows), so a waiter that registers in that
/// window is not signalled. Waiters therefore spin first and then block for at most <see cref="MaxBlockMs"/> at a
/// time: a missed signal costs a waiter at most that long, and only under contention, which 16 shards and short
/// critical sections make rare.
/// </para>
/// <code>
/// _owner      int  0 = free; otherwise the managed thread id of the holder (never 0)
/// _recursion  int  extra entries by the holder beyond the first (touched only by the holder)
/// _waiters    int  threads blocked or about to block in <see cref="EnterContended"/>
/// </code>
/// </summary>
internal sealed class ShardLock
{
    // Spinning covers a get's or a set's critical section (~0.1-0.3 us) many times over: about 500 spin
    // iterations in all, then a waiter blocks (an eviction of a whole page or a snapshot batch takes longer).
    private const int SpinAttempts = 20;
    private const int MaxBlockMs = 1;

    private readonly object _sleepers = new();
    private int _owner;
    private int _recursion;
    private int _waiters;

    /// <summary>Takes the lock, waiting if another thread holds it; the holder may take it again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        int self = Environment.CurrentManagedThreadId;
        if (Interlocked.CompareExchange(ref _owner, self, 0) != 0)
        {
            EnterContended(self);
        }
    }

    /// <summary>Takes the lock if it is free (or already held by this thread); never waits.</summary>
    public bool TryEnter()
    {
        int self = Environment.CurrentManagedThreadId;
        int owner = Interlocked.CompareExchange(ref _owner, self, 0);
        if (owner == 0)
        {
            return true;
        }
        if (owner == self)
        {
            _recursion++;
            return true;
        }
        return false;
    }

    /// <summary>Releases one entry; the last one frees the lock with a plain store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit()
    {
        if (_recursion != 0)
        {
            _recursion--;
            return;
        }
        Volatile.Write(ref _owner, 0);
        if (Volatile.Read(ref _waiters) != 0)
        {
            WakeWaiters();
        }
    }

    /// <summary>Takes the lock for a <c>using</c> block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope()
    {
        Enter();
        return new Scope(this);
    }

    /// <summary>Threads past their spinning, blocked or about to block (for tests: a waiter that blocks is seen here).</summary>
    internal int Waiters => Volatile.Read(ref _waiters);

    /// <summary>Whether the calling thread holds the lock (for assertions and tests).</summary>
    public bool IsHeldByCurrentThread => Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended(int self)
    {
        if (Volatile.Read(ref _owner) == self)
        {
            _recursion++;
            return;
        }
        for (int attempt = 0; ; attempt++)
        {
            if (Volatile.Read(ref _owner) == 0 && Interlocked.CompareExchange(ref _owner, self, 0) == 0)
            {
                return;
            }
            if (attempt < SpinAttempts)
            {
                Thread.SpinWait(1 << Math.Min(attempt, 5));
                continue;
            }
            Interlocked.Increment(ref _waiters);
            try
            {
                lock (_sleepers)
                {
                    // Checked after registering (the interlocked increment is a full fence), so a release that
                    // happened before it is seen here; one racing with it is caught by the timeout.
                    if (Volatile.Read(ref _owner) != 0)
                    {
                        Monitor.Wait(_sleepers, MaxBlockMs);
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeWaiters()
    {
        lock (_sleepers)
        {
            Monitor.PulseAll(_sleepers);
        }
    }

    /// <summary>Releases the lock when disposed.</summary>
    public readonly ref struct Scope
    {
        private readonly ShardLock _lock;

        internal Scope(ShardLock shardLock) => _lock = shardLock;

        /// <summary>Releases the lock.</summary>
        public void Dispose() => _lock.Exit();
    }
}
