using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>String conveniences for engine tests.</summary>
internal static class EngineTestExtensions
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static CacheStatus Set(this CacheEngine engine, string key, string value, WriteOptions options = default) =>
        engine.Set(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), options, out _);

    public static string? GetString(this CacheEngine engine, string key)
    {
        var sink = new CopySink();
        return engine.Get(Encoding.UTF8.GetBytes(key), ref sink) == CacheStatus.Ok
            ? Encoding.UTF8.GetString(sink.Value!)
            : null;
    }

    public static CopySink GetItem(this CacheEngine engine, ReadOnlySpan<byte> key, out CacheStatus status)
    {
        var sink = new CopySink();
        status = engine.Get(key, ref sink);
        return sink;
    }

    public static CopySink GetItem(this CacheEngine engine, string key, out CacheStatus status) =>
        engine.GetItem(Encoding.UTF8.GetBytes(key), out status);

    /// <summary>Whatever the table holds for the key (live, expired or tombstone), through <see cref="CacheEngine.Inspect"/>.</summary>
    public static CopySink InspectItem(this CacheEngine engine, string key, out CacheStatus status)
    {
        var sink = new CopySink();
        status = engine.Inspect(Encoding.UTF8.GetBytes(key), ref sink);
        return sink;
    }
}
