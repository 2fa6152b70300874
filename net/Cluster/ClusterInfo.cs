using System.Diagnostics;
using System.Globalization;
using System.Text;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// The orchestrator's answer to INFO, in Redis's "field:value" lines: what it is, its process, and each worker
/// with the state the orchestrator holds it in (docs/consistency.md), so `redis-cli -p 8000 info` shows at a
/// glance which copies serve. Sections are always all given; INFO is not on a hot path.
/// </summary>
public static class ClusterInfo
{
    /// <summary>The INFO text for <paramref name="cluster"/>, as it stands now.</summary>
    public static string Describe(Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var text = new StringBuilder();
        TimeSpan uptime;
        using (Process self = Process.GetCurrentProcess())
        {
            uptime = DateTime.Now - self.StartTime;
        }
        text.Append("# Server\r\n");
        Field(text, "redis_version", RedisCompatibility.Version);
        Field(text, "redis_mode", "standalone");
        Field(text, "echo_role", "orchestrator");
        Field(text, "process_id", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Field(text, "uptime_in_seconds", ((long)uptime.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        text.Append("\r\n# Clients\r\n");
        Field(text, "connected_clients", cluster.Clients.Connections.ToString(CultureInfo.InvariantCulture));
        Field(text, "maxclients", cluster.Clients.MaxConnections.ToString(CultureInfo.InvariantCulture));
        text.Append("\r\n# Memory\r\n");
        ProcessMemoryInfo.Append(text);
        text.Append("\r\n# Cluster\r\n");
        // "fenced": a newer orchestrator has taken the workers over, and this one serves no more requests.
        Field(text, "cluster_state", cluster.LostTo != 0 ? "fenced" : "ok");
        Field(text, "epoch", cluster.Epoch.ToString(CultureInfo.InvariantCulture));
        Field(text, "fenced_by_epoch", cluster.LostTo.ToString(CultureInfo.InvariantCulture));
        Field(text, "cluster_secret", cluster.Options.Secret != null ? "yes" : "no");
        text.Append("\r\n# Workers\r\n");
        WorkerNode[] workers = cluster.Workers;
        Field(text, "workers", workers.Length.ToString(CultureInfo.InvariantCulture));
        Field(text, "workers_up", workers.Count(w => w.State == WorkerState.Up).ToString(CultureInfo.InvariantCulture));
        foreach (WorkerNode worker in workers)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"worker{worker.Index}:address={worker.EndPoint},state={Name(worker.State)},instance={worker.InstanceId:x16}\r\n");
        }
        return text.ToString();
    }

    private static string Name(WorkerState state) => state switch
    {
        WorkerState.Up => "up",
        WorkerState.Syncing => "syncing",
        WorkerState.Returning => "returning",
        _ => "down",
    };

    private static void Field(StringBuilder text, string name, string value) =>
        text.Append(name).Append(':').Append(value).Append("\r\n");
}
