using System.Globalization;

namespace EchoCache.Faults.Lab;

/// <summary>
/// A private network on this machine: a bridge in the root namespace (the campaign's clients are there, at
/// <see cref="ClientAddress"/>) and one network namespace per host, joined to the bridge by a veth pair, each with
/// its own address in 10.213.&lt;lab&gt;.0/24. Partitions are nftables drop rules inside a host's namespace
/// (<see cref="Block"/>, <see cref="Heal"/>), so a host can be cut off from one peer, one way or both, while the rest of
/// the network works. Nothing leaves the machine: the bridge has no uplink and no route out. Needs root (ip, nft).
/// Disposing removes every namespace and the bridge.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    private const string Table = "echo_faults";

    private readonly int _id;
    private readonly List<LabHost> _hosts = [];
    private bool _disposed;

    private NetworkLab(int id)
    {
        _id = id;
        Bridge = $"ecf{id}br";
        ClientAddress = Address(1);
    }

    /// <summary>The bridge's name in the root namespace.</summary>
    public string Bridge { get; }

    /// <summary>The root namespace's address on the bridge: where the campaign's clients connect from.</summary>
    public string ClientAddress { get; }

    /// <summary>Makes lab <paramref name="id"/> (0 to 250), clearing any left by a run that died.</summary>
    public static NetworkLab Create(int id)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("the fault campaign makes network namespaces and nftables rules: run it as root");
        }
        foreach (string tool in new[] { "ip", "nft" })
        {
            if (!Shell.Has(tool))
            {
                throw new InvalidOperationException($"'{tool}' is missing: scripts/setup installs iproute2 and nftables");
            }
        }
        var lab = new NetworkLab(id);
        lab.RemoveLeftovers();
        Shell.Run("ip", ["link", "add", lab.Bridge, "type", "bridge"]);
        Shell.Run("ip", ["addr", "add", $"{lab.ClientAddress}/24", "dev", lab.Bridge]);
        Shell.Run("ip", ["link", "set", lab.Bridge, "up"]);
        return lab;
    }

    /// <summary>A new host: a namespace on the bridge with the next address (.2, .3, …).</summary>
    public LabHost AddHost(string name)
    {
        int number = _hosts.Count + 2;
        var host = new LabHost(name, $"ecf{_id}-{name}", Address(number));
        string veth = $"ecf{_id}v{number}";
        Shell.Run("ip", ["netns", "add", host.Namespace]);
        Shell.Run("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace]);
        Shell.Run("ip", ["link", "set", veth, "master", Bridge, "up"]);
        Shell.Run("ip", ["-n", host.Namespace, "addr", "add", $"{host.Address}/24", "dev", "eth0"]);
        Shell.Run("ip", ["-n", host.Namespace, "link", "set", "eth0", "up"]);
        Shell.Run("ip", ["-n", host.Namespace, "link", "set", "lo", "up"]);
        _hosts.Add(host);
        return host;
    }

    /// <summary>
    /// Drops, inside <paramref name="host"/>'s namespace, what it receives from <paramref name="peer"/>
    /// (<see cref="PartitionDirection.Inbound"/>), what it sends there (<see cref="PartitionDirection.Outbound"/>),
    /// or both. Packets vanish, as on a cut cable: connections stall rather than reset.
    /// </summary>
    public static void Block(LabHost host, string peer, PartitionDirection direction)
    {
        string rules = $"table inet {Table} {{\n"
            + $" chain input {{\n  type filter hook input priority 0;\n"
            + (direction.HasFlag(PartitionDirection.Inbound) ? $"  ip saddr {peer} drop\n" : "")
            + " }\n"
            + $" chain output {{\n  type filter hook output priority 0;\n"
            + (direction.HasFlag(PartitionDirection.Outbound) ? $"  ip daddr {peer} drop\n" : "")
            + " }\n}\n";
        Shell.Run("ip", ["netns", "exec", host.Namespace, "nft", "-f", "-"], rules);
    }

    /// <summary>Removes every drop rule of <paramref name="host"/>'s namespace.</summary>
    public static void Heal(LabHost host) =>
        Shell.Run("ip", ["netns", "exec", host.Namespace, "nft", "delete", "table", "inet", Table], check: false);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        RemoveLeftovers();
    }

    private void RemoveLeftovers()
    {
        string prefix = $"ecf{_id}-";
        foreach (string line in Shell.Run("ip", ["netns", "list"]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string name = line.Split(' ')[0];
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                Shell.Run("ip", ["netns", "del", name], check: false);
            }
        }
        Shell.Run("ip", ["link", "del", Bridge], check: false);
    }

    private string Address(int host) =>
        string.Create(CultureInfo.InvariantCulture, $"10.213.{_id}.{host}");
}
