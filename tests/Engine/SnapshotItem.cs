namespace EchoCache.Tests.Engine;

/// <summary>What a snapshot yielded for one key.</summary>
public readonly record struct SnapshotItem(ulong Version, byte[] Value, bool Tombstone, long ExpiresAt);
