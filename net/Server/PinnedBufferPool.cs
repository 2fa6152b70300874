namespace EchoCache.Net.Server;

/// <summary>
/// Pinned arrays for connection buffers, reused across connections and across spikes, so neither connection
/// churn nor a connection whose bursts outgrow its idle buffer (an orchestrator's batch, a large value)
/// allocates on the pinned heap each time or fragments it. Arrays come in sizes <see cref="BufferSize"/> times a
/// power of two, up to <see cref="LargestPooledSize"/>; a buffer rents the smallest that holds what it needs and
/// gives a spike-sized one back as soon as it drains, so an idle connection holds one <see cref="BufferSize"/>
/// array. Bounded: <see cref="MaxRetained"/> idle-size arrays and <see cref="MaxRetainedBytesPerSize"/> bytes of
/// each larger size; past that, returned arrays are left to the GC, and larger requests are allocated exactly.
/// Thread-safe (every loop of a server shares one pool); renting and returning allocate nothing.
/// </summary>
public sealed partial class PinnedBufferPool
{
    private const int Sizes = 7; // BufferSize << 0 .. << 6: 16 KiB to 1 MiB for the default 16 KiB

    private readonly Shelf[] _shelves = new Shelf[Sizes];
    private readonly long _collectAfterDroppedBytes;
    private long _droppedBytes;

    /// <summary>
    /// A pool of <paramref name="bufferSize"/>-byte idle buffers (at most <paramref name="maxRetained"/> kept) and of
    /// larger ones (at most <paramref name="maxRetainedBytesPerSize"/> bytes of each size kept). Pinned arrays are
    /// freed only by a full collection, which a server whose items live outside the managed heap allocates too
    /// little to cause: past <paramref name="collectAfterDroppedBytes"/> bytes of returned arrays left to the GC,
    /// <see cref="TakeCollectionDue"/> says to ask for one.
    /// </summary>
    public PinnedBufferPool(int bufferSize, int maxRetained = 1024, int maxRetainedBytesPerSize = 2 << 20,
        long collectAfterDroppedBytes = 64L << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(collectAfterDroppedBytes, 1);
        _collectAfterDroppedBytes = collectAfterDroppedBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bufferSize, Array.MaxLength >> (Sizes - 1));
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBytesPerSize);
        BufferSize = bufferSize;
        MaxRetained = maxRetained;
        MaxRetainedBytesPerSize = maxRetainedBytesPerSize;
        _shelves[0] = new Shelf(this, bufferSize, maxRetained);
        for (int i = 1; i < Sizes; i++)
        {
            int size = bufferSize << i;
            _shelves[i] = new Shelf(this, size, maxRetainedBytesPerSize / size);
        }
    }

    /// <summary>Size of the idle arrays, the smallest this pool hands out.</summary>
    public int BufferSize { get; }

    /// <summary>How many returned idle-size arrays the pool keeps at most.</summary>
    public int MaxRetained { get; }

    /// <summary>How many bytes of returned arrays of each larger size the pool keeps at most.</summary>
    public int MaxRetainedBytesPerSize { get; }

    /// <summary>The largest size the pool keeps; a larger request is allocated for it alone.</summary>
    public int LargestPooledSize => BufferSize << (Sizes - 1);

    /// <summary>An array of <see cref="BufferSize"/> bytes, pinned; its contents are undefined.</summary>
    public byte[] Rent() => _shelves[0].Take();

    /// <summary>
    /// A pinned array of at least <paramref name="minimumSize"/> bytes (contents undefined): the smallest pooled size
    /// that holds it, or exactly that many bytes above <see cref="LargestPooledSize"/>.
    /// </summary>
    public byte[] Rent(int minimumSize)
    {
        if (minimumSize > LargestPooledSize)
        {
            return GC.AllocateUninitializedArray<byte>(minimumSize, pinned: true);
        }
        int shelf = 0;
        while (_shelves[shelf].Size < minimumSize)
        {
            shelf++;
        }
        return _shelves[shelf].Take();
    }

    /// <summary>Gives back an array from <see cref="Rent()"/> or <see cref="Rent(int)"/>; arrays of other sizes are ignored.</summary>
    public void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        for (int i = 0; i < Sizes; i++)
        {
            if (_shelves[i].Size == buffer.Length)
            {
                _shelves[i].Put(buffer);
                return;
            }
        }
        if (buffer.Length > LargestPooledSize)
        {
            Dropped(buffer.Length); // one spike's array, allocated for it alone
        }
    }

    /// <summary>
    /// Whether enough returned arrays were left to the GC since the last time this said so that a full collection
    /// is worth asking for, to give their memory back.
    /// </summary>
    public bool TakeCollectionDue()
    {
        if (Interlocked.Read(ref _droppedBytes) < _collectAfterDroppedBytes)
        {
            return false;
        }
        Interlocked.Exchange(ref _droppedBytes, 0);
        return true;
    }

    private void Dropped(int bytes) => Interlocked.Add(ref _droppedBytes, bytes);

    /// <summary>Returned arrays the pool holds now, of every size (for tests and stats).</summary>
    public int Retained
    {
        get
        {
            int count = 0;
            foreach (Shelf shelf in _shelves)
            {
                count += shelf.Count;
            }
            return count;
        }
    }
}
