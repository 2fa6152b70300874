using EchoCache.Engine;
using EchoCache.Net.Commands;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Collects the keys a snapshot yields that match a glob pattern and the orchestrator's filter (KEYS, SCAN, and
    /// a filtered DBSIZE with a null list, which only counts); tombstones are skipped.
    /// </summary>
    private ref struct KeyCollector(ReadOnlySpan<byte> pattern, List<byte[]>? keys, bool discardAll, KeyFilter filter) : IItemSink
    {
        private readonly ReadOnlySpan<byte> _pattern = pattern;
        private readonly bool _matchAll = GlobPattern.MatchesAll(pattern);

        /// <summary>Keys collected (or counted).</summary>
        public long Count { get; private set; }

        public void Accept(in ItemView item)
        {
            if (item.IsTombstone || discardAll || !filter.Admits(item.Key))
            {
                return;
            }
            if (_matchAll || GlobPattern.IsMatch(_pattern, item.Key))
            {
                keys?.Add(item.Key.ToArray());
                Count++;
            }
        }
    }
}
