namespace EchoCache.Tests.Integration;

/// <summary>
/// The original README's concrete example, replayed word for word with its exact command lines and ports:
/// two workers on 3000 and 3001, the orchestrator on 8000, and the commandline session against it.
/// (The only test with fixed ports; the others pick free ports from the ephemeral range.)
/// </summary>
public sealed class OriginalExampleTests
{
    [Fact]
    public void Set_name_tanson_then_get_name_through_the_orchestrator()
    {
        using HostProcess worker1 = HostProcess.Start("worker", "3000");
        using HostProcess worker2 = HostProcess.Start("worker", "3001");
        worker1.WaitForPort(3000);
        worker2.WaitForPort(3001);
        using HostProcess orchestrator = HostProcess.Start("orchestrator", "8000", "127.0.0.1", "3000", "127.0.0.1", "3001");
        orchestrator.WaitForPort(8000);
        CommandLineTests.ReplayReadmeTranscript(8000);
        // The value went through the orchestrator to both workers.
        Assert.Equal("tanson", RedisCli.Run(3000, "get", "name"));
        Assert.Equal("tanson", RedisCli.Run(3001, "get", "name"));
    }
}
