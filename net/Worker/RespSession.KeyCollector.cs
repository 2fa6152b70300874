using EchoCache.Engine;
using EchoCache.Net.Commands;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>Collects the keys a snapshot yields that match a glob pattern (KEYS, SCAN); tombstones are skipped.</summary>
    private ref struct KeyCollector(ReadOnlySpan<byte> pattern, List<byte[]> keys, bool discardAll) : IItemSink
    {
        private readonly ReadOnlySpan<byte> _pattern = pattern;
        private readonly bool _matchAll = GlobPattern.MatchesAll(pattern);

        public readonly void Accept(in ItemView item)
        {
            if (item.IsTombstone || discardAll)
            {
                return;
            }
            if (_matchAll || GlobPattern.IsMatch(_pattern, item.Key))
            {
                keys.Add(item.Key.ToArray());
            }
        }
    }
}
