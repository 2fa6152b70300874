using System.Collections.Concurrent;

namespace EchoCache.Net.Server;

/// <summary>
/// Pinned arrays of one size (a connection's idle buffer), reused across connections so connection churn
/// neither allocates on the pinned heap each time nor fragments it. Bounded: past
/// <see cref="MaxRetained"/> returned arrays are left to the GC. Larger, spike-sized arrays are never pooled;
/// a connection drops them as soon as it drains.
/// </summary>
public sealed class PinnedBufferPool(int bufferSize, int maxRetained = 1024)
{
    private readonly ConcurrentStack<byte[]> _free = new();

    /// <summary>Size of every pooled array.</summary>
    public int BufferSize { get; } = bufferSize;

    /// <summary>How many returned arrays the pool keeps at most.</summary>
    public int MaxRetained { get; } = maxRetained;

    /// <summary>An array of <see cref="BufferSize"/> bytes, pinned; its contents are undefined.</summary>
    public byte[] Rent() => _free.TryPop(out byte[]? buffer) ? buffer : GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);

    /// <summary>Gives back an array from <see cref="Rent"/>; arrays of any other size are ignored.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length == BufferSize && _free.Count < MaxRetained)
        {
            _free.Push(buffer);
        }
    }
}
