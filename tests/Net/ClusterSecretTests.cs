using EchoCache.Net.Security;

namespace EchoCache.Tests.Net;

/// <summary>The cluster secret's file form and proofs (net/Security/ClusterSecret.cs).</summary>
public sealed class ClusterSecretTests
{
    [Fact]
    public void A_secret_file_loses_its_trailing_newline_and_must_be_long_enough()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "0123456789abcdef\n");
            ClusterSecret fromFile = ClusterSecret.ReadFile(path);
            var same = new ClusterSecret("0123456789abcdef"u8);
            byte[] a = new byte[16], b = new byte[16], proof = new byte[32];
            ClusterSecret.NewNonce(a);
            ClusterSecret.NewNonce(b);
            fromFile.ProveOrchestrator(a, b, 42, proof);
            Assert.True(same.IsOrchestratorProof(a, b, 42, proof));

            File.WriteAllText(path, "short\n");
            InvalidDataException tooShort = Assert.Throws<InvalidDataException>(() => ClusterSecret.ReadFile(path));
            Assert.Contains("at least 16", tooShort.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<InvalidDataException>(() => ClusterSecret.ReadFile(path)); // gone: a clear error, not a crash
    }

    [Fact]
    public void A_proof_binds_the_secret_both_nonces_the_side_and_the_epoch()
    {
        var secret = new ClusterSecret("0123456789abcdef"u8);
        var other = new ClusterSecret("0123456789abcdeF"u8);
        byte[] orchestrator = new byte[16], worker = new byte[16], proof = new byte[32];
        ClusterSecret.NewNonce(orchestrator);
        ClusterSecret.NewNonce(worker);
        secret.ProveOrchestrator(orchestrator, worker, 7, proof);

        Assert.True(secret.IsOrchestratorProof(orchestrator, worker, 7, proof));
        Assert.False(secret.IsOrchestratorProof(orchestrator, worker, 8, proof)); // the epoch is covered
        Assert.False(other.IsOrchestratorProof(orchestrator, worker, 7, proof));
        Assert.False(secret.IsOrchestratorProof(worker, orchestrator, 7, proof));
        Assert.False(secret.IsWorkerProof(orchestrator, worker, proof)); // one side's proof is not the other's
        Assert.False(secret.IsOrchestratorProof(orchestrator, worker, 7, proof.AsSpan(0, 31)));
    }
}
