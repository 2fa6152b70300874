using System.Runtime.InteropServices;

namespace EchoCache.Engine;

/// <summary>
/// One hash table bucket: one 64-byte cache line holding 12 item references and their tags.
/// <code>
/// [ 0..48) refs     12 x u32  item reference (4-byte units from the arena base); 0 = empty slot
/// [48..60) tags     12 x u8   bits 40..47 of the key's hash, compared (12 at once) before any item is touched
/// [60..64) control  u32       [31: migrated — set on a bucket of the old table once a resize moved it]
///                             [30..0: 1 + index of the next overflow bucket in the chain; 0 = end of chain]
/// </code>
/// A key lives in the chain of its home bucket only, so one shard lock guards everything a lookup reads.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal unsafe struct Bucket
{
    public const int Slots = 12;
    public const int TagsOffset = 48;
    public const uint MigratedBit = 1u << 31;
    public const uint OverflowMask = MigratedBit - 1;

    public fixed uint Refs[Slots];
    public fixed byte Tags[Slots];
    public uint Control;
}
