using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EchoCache.Net.Security;

/// <summary>
/// The secret an orchestrator and its workers share (docs/operations.md, "Cluster secret"). It never crosses the
/// wire: each link proves it both ways with HMAC-SHA256 over both sides' fresh nonces (docs/protocol.md,
/// "LINK_CHALLENGE"), so a recorded handshake replays nowhere, and the orchestrator's proof covers its epoch, so
/// nobody without the secret can raise a worker's epoch and fence the real orchestrator out.
/// </summary>
public sealed class ClusterSecret
{
    /// <summary>Bytes of each side's nonce.</summary>
    public const int NonceSize = 16;

    /// <summary>Bytes of a proof (an HMAC-SHA256).</summary>
    public const int ProofSize = 32;

    /// <summary>The shortest secret accepted: 16 bytes, so that guessing it is out of reach.</summary>
    public const int MinLength = 16;

    private const int LabelSize = 16;
    private static ReadOnlySpan<byte> WorkerLabel => "echo worker   v1"u8;
    private static ReadOnlySpan<byte> OrchestratorLabel => "echo orchestr v1"u8;

    // Replaced whole by Adopt (a rotation): a proof computed meanwhile uses the old key or the new, never a mix.
    private volatile byte[] _key;

    /// <summary>A secret of the given bytes (at least <see cref="MinLength"/>).</summary>
    public ClusterSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinLength)
        {
            throw new ArgumentException($"a cluster secret needs at least {MinLength} bytes", nameof(secret));
        }
        _key = secret.ToArray();
    }

    /// <summary>
    /// Reads a secret file: its bytes, trailing whitespace (a final newline) dropped. Throws
    /// <see cref="InvalidDataException"/> with a message for a person when it is missing, unreadable or too short.
    /// </summary>
    public static ClusterSecret ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read the cluster secret file '{path}': {e.Message}");
        }
        int length = bytes.Length;
        while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t')
        {
            length--;
        }
        if (length < MinLength)
        {
            throw new InvalidDataException(
                $"the cluster secret in '{path}' is {length} bytes; it needs at least {MinLength} (e.g. head -c 32 /dev/urandom | base64 > '{path}')");
        }
        return new ClusterSecret(bytes.AsSpan(0, length));
    }

    /// <summary>
    /// Takes <paramref name="newer"/>'s secret from now on (SIGHUP after the file changed): links joined already stay
    /// joined; every later handshake proves and checks the new one (docs/operations.md, "Rotating the secret").
    /// </summary>
    public void Adopt(ClusterSecret newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        _key = newer._key;
    }

    /// <summary>Whether a file's mode lets users other than its owner read it (a warning for the operator).</summary>
    public static bool IsReadableByOthers(string path) =>
        !OperatingSystem.IsWindows()
        && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;

    /// <summary>Fills <paramref name="nonce"/> with fresh random bytes.</summary>
    public static void NewNonce(Span<byte> nonce) => RandomNumberGenerator.Fill(nonce);

    /// <summary>The worker's proof: HMAC(secret, worker label ‖ orchestrator nonce ‖ worker nonce).</summary>
    public void ProveWorker(ReadOnlySpan<byte> orchestratorNonce, ReadOnlySpan<byte> workerNonce, Span<byte> proof) =>
        Prove(WorkerLabel, orchestratorNonce, workerNonce, 0, proof);

    /// <summary>The orchestrator's proof: HMAC(secret, orchestrator label ‖ orchestrator nonce ‖ worker nonce ‖ epoch).</summary>
    public void ProveOrchestrator(ReadOnlySpan<byte> orchestratorNonce, ReadOnlySpan<byte> workerNonce, ulong epoch, Span<byte> proof) =>
        Prove(OrchestratorLabel, orchestratorNonce, workerNonce, epoch, proof);

    /// <summary>Whether <paramref name="proof"/> is the worker's, compared in constant time.</summary>
    public bool IsWorkerProof(ReadOnlySpan<byte> orchestratorNonce, ReadOnlySpan<byte> workerNonce, ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofSize];
        ProveWorker(orchestratorNonce, workerNonce, expected);
        return CryptographicOperations.FixedTimeEquals(expected, proof);
    }

    /// <summary>Whether <paramref name="proof"/> is the orchestrator's for <paramref name="epoch"/>, in constant time.</summary>
    public bool IsOrchestratorProof(ReadOnlySpan<byte> orchestratorNonce, ReadOnlySpan<byte> workerNonce, ulong epoch,
        ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofSize];
        ProveOrchestrator(orchestratorNonce, workerNonce, epoch, expected);
        return CryptographicOperations.FixedTimeEquals(expected, proof);
    }

    private void Prove(ReadOnlySpan<byte> label, ReadOnlySpan<byte> orchestratorNonce, ReadOnlySpan<byte> workerNonce,
        ulong epoch, Span<byte> proof)
    {
        if (orchestratorNonce.Length != NonceSize || workerNonce.Length != NonceSize)
        {
            throw new ArgumentException("a nonce is 16 bytes");
        }
        // label (16) ‖ orchestrator nonce (16) ‖ worker nonce (16) ‖ epoch (8, little-endian; 0 in the worker's proof)
        Span<byte> message = stackalloc byte[LabelSize + 2 * NonceSize + sizeof(ulong)];
        label.CopyTo(message);
        orchestratorNonce.CopyTo(message[LabelSize..]);
        workerNonce.CopyTo(message[(LabelSize + NonceSize)..]);
        BinaryPrimitives.WriteUInt64LittleEndian(message[(LabelSize + 2 * NonceSize)..], epoch);
        HMACSHA256.HashData(_key, message, proof);
    }
}
