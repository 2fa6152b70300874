using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

/// <summary>
/// Adds the items a DIGEST walk yields to a <see cref="SlotDigest"/> (docs/protocol.md, "DIGEST"): those of the
/// filter's slots, live, at or below the cutoff version, and not expiring at or before the horizon. Tombstones are
/// not counted: a tombstone's expiry is the instant its own copy will drop it, which the two copies do not share, and
/// a tombstone alone changes no read.
/// </summary>
internal readonly struct DigestSink(SlotDigest digest, KeyFilter filter, ulong cutoff, long horizon) : IItemSink
{
    public void Accept(in ItemView item)
    {
        ReadOnlySpan<byte> key = item.Key;
        ReadOnlySpan<byte> hashed = KeySlot.HashedPart(key);
        ulong hashedHash = KeyHash.Compute(hashed);
        int slot = (int)(hashedHash % KeySlot.Count);
        if (!filter.AdmitsSlot(slot))
        {
            return;
        }
        digest.ObserveVersion(item.Version);
        if (item.IsTombstone || item.Version > cutoff || (item.ExpiresAtUnixMs != 0 && item.ExpiresAtUnixMs <= horizon))
        {
            return;
        }
        ulong keyHash = hashed.Length == key.Length ? hashedHash : KeyHash.Compute(key);
        digest.Add(slot, SlotDigest.HashItem(keyHash, item.Version, item.ExpiresAtUnixMs, item.Flags));
    }
}
