using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Keys and values for a multi-key write (MSETNX) in engine tests.</summary>
public readonly struct PairList(params (string Key, string Value)[] pairs) : IKeyValuePairs
{
    private readonly byte[][] _keys = pairs.Select(p => Encoding.UTF8.GetBytes(p.Key)).ToArray();
    private readonly byte[][] _values = pairs.Select(p => Encoding.UTF8.GetBytes(p.Value)).ToArray();

    public int Count => _keys.Length;

    public ReadOnlySpan<byte> Key(int index) => _keys[index];

    public ReadOnlySpan<byte> Value(int index) => _values[index];
}
