using System.Net;
using EchoCache.Net.Server;

namespace EchoCache.Tests.Net;

/// <summary>A connection for sessions driven without sockets: fixed addresses, and a record of CLIENT KILL and of a link's exemption.</summary>
internal sealed class FakeClientConnection(IPEndPoint? remote, IPEndPoint? local, int descriptor) : IClientConnection
{
    private int _kills;

    public FakeClientConnection(int remotePort, int descriptor = 9)
        : this(new IPEndPoint(IPAddress.Loopback, remotePort), new IPEndPoint(IPAddress.Loopback, 6379), descriptor)
    {
    }

    public IPEndPoint? RemoteEndPoint => remote;

    public IPEndPoint? LocalEndPoint => local;

    public int Descriptor => descriptor;

    /// <summary>How many times Kill was called.</summary>
    public int Kills => Volatile.Read(ref _kills);

    public void Kill() => Interlocked.Increment(ref _kills);

    /// <summary>Whether the session asked to be exempt from the idle timeout (an orchestrator's link).</summary>
    public bool ExemptFromTimeout { get; private set; }

    public void ExemptFromIdleTimeout() => ExemptFromTimeout = true;
}
