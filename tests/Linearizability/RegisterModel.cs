using System.Globalization;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// The sequential specification of one key: a register that is missing or holds a string. Its state is an
/// int, a value id (0 = missing) interned per key, so configurations compare and hash cheaply.
/// <see cref="TryStep"/> says whether an operation, applied to a state, could have answered what it answered,
/// and what state it leaves.
/// </summary>
/// <remarks>
/// A write whose outcome is unknown never fails to step — the search must always be able to place it, if only
/// after everything else (Porcupine's advice for timed-out calls: apply the update, skip the output check).
/// An unknown-outcome increment of a non-integer therefore steps to the same state: it failed, without effect.
/// </remarks>
internal sealed class RegisterModel
{
    /// <summary>The state of a missing key.</summary>
    public const int Missing = 0;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string?> _values = [null];
    private readonly List<long?> _numbers = [0L]; // a value as an integer; missing counts as 0
    private readonly OperationKind[] _kind;
    private readonly int[] _input;               // Set: the value id written
    private readonly long[] _delta;              // Increment: the delta
    private readonly int[] _output;              // Get: the value id read
    private readonly long?[] _result;            // Increment: the value after, when known
    private readonly bool[] _unknown;

    /// <summary>The model of the key that <paramref name="operations"/> (all on one key) touch.</summary>
    public RegisterModel(IReadOnlyList<Operation> operations)
    {
        int n = operations.Count;
        _kind = new OperationKind[n];
        _input = new int[n];
        _delta = new long[n];
        _output = new int[n];
        _result = new long?[n];
        _unknown = new bool[n];
        for (int i = 0; i < n; i++)
        {
            Operation op = operations[i];
            _kind[i] = op.Kind;
            _unknown[i] = op.OutcomeUnknown;
            switch (op.Kind)
            {
                case OperationKind.Set:
                    _input[i] = Intern(op.Input);
                    break;
                case OperationKind.Get:
                    _output[i] = Intern(op.Output);
                    break;
                case OperationKind.Increment:
                    _delta[i] = long.Parse(op.Input!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    _result[i] = op.Output is null ? null : long.Parse(op.Output, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    break;
            }
        }
    }

    /// <summary>The value a state stands for (null = missing).</summary>
    public string? ValueOf(int state) => _values[state];

    /// <summary>
    /// Applies operation <paramref name="operation"/> to <paramref name="state"/>: false when it could not
    /// have answered what it did from that state; otherwise true and the state after it.
    /// </summary>
    public bool TryStep(int state, int operation, out int next)
    {
        next = state;
        switch (_kind[operation])
        {
            case OperationKind.Set:
                next = _input[operation];
                return true;
            case OperationKind.Get:
                return _output[operation] == state;
            case OperationKind.Delete:
                next = Missing;
                return true;
            case OperationKind.Increment:
                return TryIncrement(state, operation, out next);
            default:
                return false;
        }
    }

    private bool TryIncrement(int state, int operation, out int next)
    {
        next = state;
        long? current = _numbers[state];
        long after = 0;
        bool valid = current is long value && !AddOverflows(value, _delta[operation], out after);
        if (!valid)
        {
            // The cache answers an error and changes nothing; only an unknown outcome fits that.
            return _unknown[operation] && _result[operation] is null;
        }
        if (_result[operation] is long answered && answered != after)
        {
            return false;
        }
        next = Intern(after.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    private static bool AddOverflows(long a, long b, out long sum)
    {
        sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0;
    }

    private int Intern(string? value)
    {
        if (value is null)
        {
            return Missing;
        }
        if (!_ids.TryGetValue(value, out int id))
        {
            id = _values.Count;
            _ids.Add(value, id);
            _values.Add(value);
            _numbers.Add(long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) ? number : null);
        }
        return id;
    }
}
