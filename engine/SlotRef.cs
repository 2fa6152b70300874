namespace EchoCache.Engine;

/// <summary>Where a key's reference sits in its chain: a bucket and a slot in it, or nothing.</summary>
internal readonly unsafe struct SlotRef(Bucket* bucket, int slot)
{
    public Bucket* Bucket { get; } = bucket;
    public int Slot { get; } = slot;
    public bool Found => Bucket != null;
    public uint Ref => Bucket->Refs[Slot];
}
