using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The harness's own check that a started host listens: the listener on the port must be that process's (its
/// descriptor), so a test never talks to another program, or an earlier host, that holds the port.
/// </summary>
public sealed class HostProcessTests
{
    [Fact]
    public void A_listening_socket_counts_only_for_the_process_that_holds_it()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using HostProcess worker = HostProcess.StartWorker(out int workerPort);

        Assert.True(HostProcess.ListensOn(Environment.ProcessId, port));
        Assert.False(HostProcess.ListensOn(worker.Id, port));
        Assert.True(HostProcess.ListensOn(worker.Id, workerPort));
        Assert.False(HostProcess.ListensOn(Environment.ProcessId, workerPort));
    }

    [Fact]
    public void A_host_whose_port_another_process_listens_on_is_not_taken_for_listening()
    {
        // The test listens first: the worker cannot, and exits. Connecting to the port would still succeed (the test's
        // own listener answers), which is all the check once asked.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using HostProcess worker = HostProcess.Start("worker", port.ToString(CultureInfo.InvariantCulture));
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => worker.WaitForPort(port));
        Assert.Contains("exited early with code 1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("the port is in use by another process", failure.Message, StringComparison.Ordinal);
    }
}
