using System.Globalization;
using System.Text;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// The sequential specification of one register: a key that is missing or holds a string — or, for a group of
/// keys linked by renames, the tuple of their values, one register as a whole. Its state is an int, so
/// configurations compare and hash cheaply: for one key, a value id (0 = missing) interned per register; for a
/// group, the id of an interned tuple of value ids (0 = every key missing). <see cref="TryStep"/> says whether
/// an operation, applied to a state, could have answered what it answered, and what state it leaves.
/// </summary>
/// <remarks>
/// <para>A write whose outcome is unknown never fails to step — the search must always be able to place it, if
/// only after everything else (Porcupine's advice for timed-out calls: apply the update, skip the output check).
/// One that the cache would refuse from that state (an increment of a non-number, a rename of a missing key)
/// therefore steps to the same state: it failed, without effect. A refusal the client saw
/// (<see cref="Operation.Rejected"/>) is a known answer, and fits only a state the command cannot use.</para>
/// <para>Numbers follow Redis: INCR reads a value strictly as string2ll does (no sign but '-', no leading zero,
/// no blank), INCRBYFLOAT as string2ld does, in long double (<see cref="RedisFloat"/>). Derived values (an
/// append, an increment) are computed once per value and command input.</para>
/// </remarks>
internal sealed class RegisterModel
{
    /// <summary>The state in which every key of the register is missing.</summary>
    public const int Missing = 0;

    private const int Refused = -1;

    private readonly string[] _keys;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string?> _values = [null];
    private readonly List<int> _byteLengths = [0];
    private readonly List<int[]> _tuples = [];
    private readonly Dictionary<int[], int> _tupleIds = new(TupleComparer.Instance);
    private readonly Dictionary<(int State, int Key, int Value), int> _replaced = [];
    private readonly Dictionary<(int Value, int Derivation), int> _derived = [];

    private readonly OperationKind[] _kind;
    private readonly int[] _key;          // the operation's key, as an index into _keys
    private readonly int[] _target;       // Rename: the destination's index
    private readonly int[] _input;        // Set, SetIfAbsent, GetSet: the value id written
    private readonly int[] _output;       // Get, GetSet, GetDelete: the value id read; Increment(ByFloat): the value id after
    private readonly long[] _length;      // Append: the length answered
    private readonly int[] _derivation;   // Append, Increment(ByFloat): which (kind, input) it is, for the cache
    private readonly string?[] _argument; // Append: the suffix; Increment(ByFloat): the delta
    private readonly bool[] _flag;        // SetIfAbsent: answered "stored"; CountedDelete, Expire: answered "existed"
    private readonly bool[] _rejected;    // Increment(ByFloat), Rename: answered "refused"
    private readonly bool[] _check;       // the answer is known and must match

    /// <summary>The model of the register that <paramref name="operations"/> (one key, or one group of keys linked by renames) touch.</summary>
    public RegisterModel(IReadOnlyList<Operation> operations)
    {
        _keys = [.. operations.SelectMany(o => o.Keys).Distinct().Order(StringComparer.Ordinal)];
        if (_keys.Length > 1)
        {
            Tuple(new int[_keys.Length]); // id 0: every key missing
        }
        var keyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < _keys.Length; k++)
        {
            keyIndex[_keys[k]] = k;
        }
        var derivations = new Dictionary<(OperationKind, string), int>();

        int n = operations.Count;
        _kind = new OperationKind[n];
        _key = new int[n];
        _target = new int[n];
        _input = new int[n];
        _output = new int[n];
        _length = new long[n];
        _derivation = new int[n];
        _argument = new string?[n];
        _flag = new bool[n];
        _rejected = new bool[n];
        _check = new bool[n];
        for (int i = 0; i < n; i++)
        {
            Operation op = operations[i];
            _kind[i] = op.Kind;
            _key[i] = keyIndex[op.Key];
            _check[i] = op.AnswerKnown;
            _rejected[i] = op.Output == Operation.Rejected;
            switch (op.Kind)
            {
                case OperationKind.Set:
                    _input[i] = Intern(op.Input);
                    break;
                case OperationKind.Get or OperationKind.GetDelete:
                    _output[i] = Intern(op.Output);
                    break;
                case OperationKind.GetSet:
                    _input[i] = Intern(op.Input);
                    _output[i] = Intern(op.Output);
                    break;
                case OperationKind.SetIfAbsent:
                    _input[i] = Intern(op.Input);
                    _flag[i] = op.Output == "1";
                    break;
                case OperationKind.CountedDelete or OperationKind.Expire:
                    _flag[i] = op.Output == "1";
                    break;
                case OperationKind.Rename:
                    _target[i] = keyIndex[op.Input!];
                    break;
                case OperationKind.Append or OperationKind.Increment or OperationKind.IncrementByFloat:
                    _argument[i] = op.Input!;
                    if (!derivations.TryGetValue((op.Kind, op.Input!), out _derivation[i]))
                    {
                        derivations.Add((op.Kind, op.Input!), _derivation[i] = derivations.Count);
                    }
                    if (op.Output is string answer && !_rejected[i])
                    {
                        if (op.Kind == OperationKind.Append)
                        {
                            _length[i] = long.Parse(answer, CultureInfo.InvariantCulture);
                        }
                        else
                        {
                            _output[i] = Intern(op.Kind == OperationKind.Increment
                                ? long.Parse(answer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                                : answer);
                        }
                    }
                    break;
            }
        }
    }

    /// <summary>The register's keys, in ordinal order (one, unless renames link several).</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The index in <see cref="Keys"/> of the key operation <paramref name="operation"/> names (a rename's source).</summary>
    public int KeyOf(int operation) => _key[operation];

    /// <summary>The value id key <paramref name="key"/> holds in <paramref name="state"/> (0 = missing).</summary>
    public int ValueIdIn(int state, int key) => _keys.Length == 1 ? state : _tuples[state][key];

    /// <summary>The value key <paramref name="key"/> holds in <paramref name="state"/> (null = missing).</summary>
    public string? ValueOf(int state, int key) => _values[ValueIdIn(state, key)];

    /// <summary>A state as explanations show it: the value, or for a group every key's value.</summary>
    public string Describe(int state)
    {
        if (_keys.Length == 1)
        {
            return Operation.Quote(_values[state]);
        }
        var text = new StringBuilder();
        for (int k = 0; k < _keys.Length; k++)
        {
            text.Append(k == 0 ? "" : ", ").Append(_keys[k]).Append(" = ").Append(Operation.Quote(ValueOf(state, k)));
        }
        return text.ToString();
    }

    /// <summary>
    /// Applies operation <paramref name="operation"/> to <paramref name="state"/>: false when it could not
    /// have answered what it did from that state; otherwise true and the state after it.
    /// </summary>
    public bool TryStep(int state, int operation, out int next)
    {
        next = state;
        int key = _key[operation];
        int current = ValueIdIn(state, key);
        bool check = _check[operation];
        switch (_kind[operation])
        {
            case OperationKind.Set:
                next = With(state, key, _input[operation]);
                return true;
            case OperationKind.Get:
                return _output[operation] == current;
            case OperationKind.Delete:
                next = With(state, key, Missing);
                return true;
            case OperationKind.CountedDelete:
                if (check && _flag[operation] != (current != Missing))
                {
                    return false;
                }
                next = With(state, key, Missing);
                return true;
            case OperationKind.Expire:
                return !check || _flag[operation] == (current != Missing); // the value stays as it is
            case OperationKind.GetDelete:
                if (check && _output[operation] != current)
                {
                    return false;
                }
                next = With(state, key, Missing);
                return true;
            case OperationKind.GetSet:
                if (check && _output[operation] != current)
                {
                    return false;
                }
                next = With(state, key, _input[operation]);
                return true;
            case OperationKind.SetIfAbsent:
                bool stores = current == Missing;
                if (check && _flag[operation] != stores)
                {
                    return false;
                }
                next = stores ? With(state, key, _input[operation]) : state;
                return true;
            case OperationKind.Append or OperationKind.Increment or OperationKind.IncrementByFloat:
                int after = Derive(current, operation);
                if (after == Refused)
                {
                    // The cache answers an error and changes nothing.
                    return !check || _rejected[operation];
                }
                if (check && (_rejected[operation] || !Answers(operation, after)))
                {
                    return false;
                }
                next = With(state, key, after);
                return true;
            case OperationKind.Rename:
                if (current == Missing)
                {
                    return !check || _rejected[operation]; // "no such key", nothing changes
                }
                if (check && _rejected[operation])
                {
                    return false;
                }
                int target = _target[operation];
                next = target == key ? state : With(With(state, target, current), key, Missing);
                return true;
            default:
                return false;
        }
    }

    private bool Answers(int operation, int after) => _kind[operation] == OperationKind.Append
        ? _length[operation] == _byteLengths[after]
        : _output[operation] == after;

    /// <summary>The value id an append or increment leaves, from value <paramref name="current"/>, or <see cref="Refused"/>.</summary>
    private int Derive(int current, int operation)
    {
        if (_derived.TryGetValue((current, _derivation[operation]), out int after))
        {
            return after;
        }
        string? value = _values[current];
        string argument = _argument[operation]!;
        after = _kind[operation] switch
        {
            OperationKind.Append => Intern((value ?? "") + argument),
            OperationKind.Increment => TryParseInteger(value ?? "0", out long number)
                && !AddOverflows(number, long.Parse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), out long sum)
                ? Intern(sum.ToString(CultureInfo.InvariantCulture))
                : Refused,
            _ => RedisFloat.TryIncrement(value, argument, out string result) ? Intern(result) : Refused,
        };
        _derived.Add((current, _derivation[operation]), after);
        return after;
    }

    /// <summary>Reads an integer as Redis's string2ll does: optional '-', digits, no leading zero, within a long.</summary>
    private static bool TryParseInteger(string text, out long value)
    {
        value = 0;
        int digits = text.StartsWith('-') ? 1 : 0;
        if (text.Length == digits || text.Length > 20 || (text[digits] == '0' && (text.Length > digits + 1 || digits == 1)))
        {
            return false;
        }
        for (int i = digits; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool AddOverflows(long a, long b, out long sum)
    {
        sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0;
    }

    /// <summary><paramref name="state"/> with key <paramref name="key"/> holding value id <paramref name="value"/>.</summary>
    private int With(int state, int key, int value)
    {
        if (_keys.Length == 1)
        {
            return value;
        }
        int[] tuple = _tuples[state];
        if (tuple[key] == value)
        {
            return state;
        }
        if (!_replaced.TryGetValue((state, key, value), out int next))
        {
            int[] changed = (int[])tuple.Clone();
            changed[key] = value;
            next = Tuple(changed);
            _replaced.Add((state, key, value), next);
        }
        return next;
    }

    private int Tuple(int[] values)
    {
        if (!_tupleIds.TryGetValue(values, out int id))
        {
            id = _tuples.Count;
            _tuples.Add(values);
            _tupleIds.Add(values, id);
        }
        return id;
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
            _byteLengths.Add(Encoding.UTF8.GetByteCount(value));
        }
        return id;
    }
}
