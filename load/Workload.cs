using System.Globalization;
using System.Text;

namespace EchoCache.Load;

/// <summary>
/// What the load is made of: a key space of <see cref="KeyCount"/> keys named like redis-benchmark's
/// (<c>key:000000012345</c>), one value of <see cref="ValueSize"/> random (incompressible) bytes, and the share
/// of GETs among requests (the rest are SETs). Keys are chosen uniformly at random. Built once, shared read-only.
/// </summary>
internal sealed class Workload
{
    public Workload(int keyCount, int valueSize, int getPercent, ulong seed)
    {
        KeyCount = keyCount;
        ValueSize = valueSize;
        GetPercent = getPercent;
        Keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++)
        {
            Keys[i] = Encoding.ASCII.GetBytes("key:" + i.ToString("D12", CultureInfo.InvariantCulture));
        }
        Value = new byte[valueSize];
        var random = new FastRandom(seed);
        for (int i = 0; i < Value.Length; i++)
        {
            Value[i] = (byte)random.Next();
        }
    }

    public int KeyCount { get; }

    public int ValueSize { get; }

    /// <summary>Percentage of requests that are GETs (0–100); the others are SETs.</summary>
    public int GetPercent { get; }

    public byte[][] Keys { get; }

    public byte[] Value { get; }

    /// <summary>Chooses the next request: a key index and whether it is a GET.</summary>
    public int Choose(ref FastRandom random, out bool isGet)
    {
        ulong bits = random.Next();
        isGet = (int)((bits & 0xFFFF_FFFF) % 100) < GetPercent;
        return (int)(((bits >> 32) * (ulong)(uint)KeyCount) >> 32);
    }

    /// <summary>One line for reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{GetPercent}% GET / {100 - GetPercent}% SET, {KeyCount:N0} keys (uniform), {ValueSize}-byte random values");
}
