using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Records every eviction an engine reports, as (key, version), in order.</summary>
internal sealed class RecordingEvictionObserver : IEvictionObserver
{
    private readonly Lock _lock = new();
    private readonly List<(string Key, ulong Version)> _evicted = [];

    public void OnEvicted(ReadOnlySpan<byte> key, ulong version)
    {
        using (_lock.EnterScope())
        {
            _evicted.Add((Encoding.ASCII.GetString(key), version));
        }
    }

    /// <summary>What was reported so far.</summary>
    public List<(string Key, ulong Version)> Evicted
    {
        get
        {
            using (_lock.EnterScope())
            {
                return [.. _evicted];
            }
        }
    }
}
