namespace EchoCache.Net.Server;

public sealed partial class PinnedBufferPool
{
    /// <summary>
    /// The returned arrays of one size: a fixed array of slots under a lock, so putting one back allocates
    /// nothing (a ConcurrentStack allocates a node per push). Contention is two or three loop threads at most,
    /// each holding the lock for a few instructions.
    /// </summary>
    private sealed class Shelf(PinnedBufferPool pool, int size, int capacity)
    {
        private readonly Lock _lock = new();
        private readonly byte[]?[] _free = new byte[capacity][];
        private int _count;

        public int Size { get; } = size;

        public int Count
        {
            get
            {
                using (_lock.EnterScope())
                {
                    return _count;
                }
            }
        }

        public byte[] Take()
        {
            using (_lock.EnterScope())
            {
                if (_count > 0)
                {
                    byte[] buffer = _free[--_count]!;
                    _free[_count] = null;
                    return buffer;
                }
            }
            return GC.AllocateUninitializedArray<byte>(Size, pinned: true);
        }

        public void Put(byte[] buffer)
        {
            using (_lock.EnterScope())
            {
                if (_count < _free.Length)
                {
                    _free[_count++] = buffer;
                    return;
                }
            }
            pool.Dropped(Size);
        }
    }
}
