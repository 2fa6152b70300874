using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Makes every eviction a replicated delete (docs/consistency.md, "Eviction"). A worker that evicts a key's item of
/// version v says so on each of its orchestrator connections, before the reply to any request it runs afterwards;
/// here, under the key's slot lock, a REPLICA_DEL at version v is queued on both copies of the key (up or syncing).
/// The other copy drops that version of the key too (a delete beats an item of its own version, and nothing newer),
/// and the evicting copy keeps a tombstone at v. Since the notice is handled before any reply behind it on its link,
/// a read that saw the key gone is answered only once both deletes are queued, and any read sent after it queues
/// behind the delete on whichever copy it goes to: a key never reads present after a read saw it absent (unless
/// written again), and the two copies lose the same versions. Nobody waits for these deletes; a copy that fails one
/// is marked down, as for any replicated write. Stateless but for its cluster: one serves every worker.
/// </summary>
internal sealed class EvictionDeletes(Cluster cluster) : IWorkerReplyTarget
{
    /// <summary>
    /// Worker <paramref name="from"/> evicted <paramref name="key"/> at <paramref name="version"/> (notice number
    /// <paramref name="sequence"/>); on the loop thread of the link it came on, before that link's next reply.
    /// </summary>
    public void OnEvicted(WorkerNode from, ReadOnlySpan<byte> key, ulong version, ulong sequence)
    {
        // The same notice comes on each of the worker's links: once handled (its deletes queued), later copies of it,
        // and of every earlier notice, change nothing. Deletes are idempotent anyway.
        if (sequence <= from.NoticesHandled)
        {
            return;
        }
        if (version != 0 && key.Length is > 0 and <= BinaryProtocol.MaxKeyLength)
        {
            int slot = SlotMap.SlotOf(key);
            var delete = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, Version = version };
            using (cluster.SlotLock(slot).EnterScope())
            {
                // Both copies under the slot lock: a read of the slot queued after this finds the delete ahead of it
                // on either copy.
                Send(cluster.Workers[cluster.Map.PrimaryOf(slot)], slot, delete, key);
                Send(cluster.Workers[cluster.Map.PartnerOf(slot)], slot, delete, key);
            }
        }
        from.NoticeHandled(sequence);
    }

    private void Send(WorkerNode worker, int slot, in BinaryFrameHeader delete, ReadOnlySpan<byte> key)
    {
        if (worker.State is not (WorkerState.Up or WorkerState.Syncing))
        {
            return; // a copy down or returning is flushed and refilled before it serves
        }
        WorkerLink? link = worker.LinkFor(slot);
        if (link == null || !link.Send(delete, key, default, this, worker.Index))
        {
            worker.MarkDown("an eviction could not be replicated to it");
        }
    }

    /// <inheritdoc />
    public void OnReply(in BinaryFrame frame, long token)
    {
        // OK (the item went), NOT_FOUND (nothing live: a tombstone was recorded) and STALE (it holds a newer write)
        // all leave the copy as it should be.
        if (frame.Header.Status is not (BinaryStatus.Ok or BinaryStatus.NotFound or BinaryStatus.Stale))
        {
            cluster.Workers[token].MarkDown($"failed to apply a replicated eviction ({frame.Header.Status})");
        }
    }

    /// <inheritdoc />
    public void OnLinkFailed(long token)
    {
        // The failed link has marked its worker down already.
    }
}
