namespace EchoCache.Tests.Net.Fuzz;

/// <summary>
/// Makes inputs for a parser from valid seed frames: starts from one to three seeds back to back (pipelining), then
/// applies up to four mutations: bit flips, byte changes, inserts and deletes, chunk duplication, truncation,
/// splicing in part of another seed, corruption of a length field (the protocol's own), or, now and then, random bytes.
/// </summary>
internal abstract class MutationFuzzer
{
    private const int MaxLength = 8192;

    private readonly byte[][] _seeds;
    private byte[] _buffer = new byte[2 * MaxLength];

    protected MutationFuzzer(IEnumerable<byte[]> seeds, ulong seed)
    {
        _seeds = seeds.ToArray();
        Random = new FuzzRandom(seed);
    }

    protected FuzzRandom Random { get; }

    /// <summary>The input being built.</summary>
    protected Span<byte> Input => _buffer.AsSpan(0, Length);

    protected int Length { get; private set; }

    /// <summary>Bytes worth trying in a protocol (markers, delimiters, boundary values).</summary>
    protected abstract ReadOnlySpan<byte> InterestingBytes { get; }

    /// <summary>Overwrites a length field (or a header field) of the input with a value near a boundary.</summary>
    protected abstract void CorruptLength();

    /// <summary>The start of an input made of random bytes (e.g. a valid magic, so the parser reads on).</summary>
    protected abstract ReadOnlySpan<byte> RandomInputPrefix();

    public ReadOnlySpan<byte> Next()
    {
        Length = 0;
        if (Random.OneIn(64))
        {
            Append(RandomInputPrefix());
            int count = Random.Next(200);
            for (int i = 0; i < count; i++)
            {
                AppendByte(Random.NextByte());
            }
            return Input;
        }
        int seeds = Random.OneIn(4) ? 2 + Random.Next(2) : 1;
        for (int i = 0; i < seeds; i++)
        {
            Append(Random.Pick(_seeds));
        }
        int mutations = Random.OneIn(16) ? 0 : 1 + Random.Next(4);
        for (int i = 0; i < mutations; i++)
        {
            Mutate();
        }
        return Input;
    }

    private void Mutate()
    {
        switch (Random.Next(10))
        {
            case 0 when Length > 0:
                Input[Random.Next(Length)] ^= (byte)(1 << Random.Next(8));
                break;
            case 1 when Length > 0:
                Input[Random.Next(Length)] = Random.OneIn(2) ? Random.NextByte() : InterestingBytes[Random.Next(InterestingBytes.Length)];
                break;
            case 2:
                Insert(Random.Next(Length + 1), Random.OneIn(2) ? Random.NextByte() : InterestingBytes[Random.Next(InterestingBytes.Length)]);
                break;
            case 3 when Length > 0:
                Delete(Random.Next(Length), 1 + Random.Next(4));
                break;
            case 4 when Length > 0:
                Length = Random.Next(Length); // truncate
                break;
            case 5 when Length > 0:
                DuplicateChunk();
                break;
            case 6:
                SpliceSeed();
                break;
            default:
                if (Length > 0)
                {
                    CorruptLength();
                }
                break;
        }
    }

    protected void Append(ReadOnlySpan<byte> bytes)
    {
        int count = Math.Min(bytes.Length, MaxLength - Length);
        bytes[..count].CopyTo(_buffer.AsSpan(Length));
        Length += count;
    }

    private void AppendByte(byte value)
    {
        if (Length < MaxLength)
        {
            _buffer[Length++] = value;
        }
    }

    private void Insert(int at, byte value)
    {
        if (Length >= MaxLength)
        {
            return;
        }
        _buffer.AsSpan(at, Length - at).CopyTo(_buffer.AsSpan(at + 1));
        _buffer[at] = value;
        Length++;
    }

    private void Delete(int at, int count)
    {
        count = Math.Min(count, Length - at);
        _buffer.AsSpan(at + count, Length - at - count).CopyTo(_buffer.AsSpan(at));
        Length -= count;
    }

    /// <summary>Replaces <paramref name="count"/> bytes at <paramref name="at"/> with <paramref name="replacement"/>.</summary>
    protected void Replace(int at, int count, ReadOnlySpan<byte> replacement)
    {
        count = Math.Min(count, Length - at);
        int newLength = Length - count + replacement.Length;
        if (newLength > MaxLength)
        {
            return;
        }
        _buffer.AsSpan(at + count, Length - at - count).CopyTo(_buffer.AsSpan(at + replacement.Length));
        replacement.CopyTo(_buffer.AsSpan(at));
        Length = newLength;
    }

    private void DuplicateChunk()
    {
        int start = Random.Next(Length);
        int count = 1 + Random.Next(Math.Min(64, Length - start));
        Span<byte> chunk = stackalloc byte[count];
        _buffer.AsSpan(start, count).CopyTo(chunk);
        Replace(Random.Next(Length + 1), 0, chunk);
    }

    private void SpliceSeed()
    {
        byte[] other = Random.Pick(_seeds);
        int start = Random.Next(other.Length);
        int count = Random.Next(other.Length - start + 1);
        int at = Random.Next(Length + 1);
        Replace(at, Random.OneIn(2) ? 0 : Random.Next(Length - at + 1), other.AsSpan(start, count));
    }
}
