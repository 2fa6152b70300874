namespace EchoCache.Faults.Linearizability;

/// <summary>
/// The call and return events of one key's operations, in time order, as a doubly linked list that the
/// search cuts operations out of ("lifts") and splices back in on backtracking — the list of Wing &amp; Gong
/// (1993), as Lowe (2017) and Porcupine keep it. Nodes are array indices: 0 is the head sentinel, and the
/// events are numbered 1..2n in time order, so a node's number is also its rank in time.
/// </summary>
/// <remarks>
/// Ties: when a call and a return have the same timestamp, the call comes first, so the two operations count
/// as concurrent. The clock cannot tell which happened first, and calling them concurrent is the choice that
/// can never raise a false alarm.
/// </remarks>
internal sealed class EntryList
{
    /// <summary>The head sentinel.</summary>
    public const int Head = 0;

    /// <summary>"No node": the end of the list.</summary>
    public const int End = -1;

    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int[] _operation;   // node -> local operation index
    private readonly bool[] _isCall;
    private readonly int[] _callNode;    // operation -> its call node
    private readonly int[] _returnNode;  // operation -> its return node

    /// <summary>The events of operations 0..n-1, invoked at <paramref name="calls"/> and returning at <paramref name="returns"/>.</summary>
    public EntryList(IReadOnlyList<long> calls, IReadOnlyList<long> returns)
    {
        int n = calls.Count;
        var events = new (long Time, bool IsReturn, int Operation)[2 * n];
        for (int i = 0; i < n; i++)
        {
            events[2 * i] = (calls[i], false, i);
            events[(2 * i) + 1] = (returns[i], true, i);
        }
        // Time, then calls before returns (ties are concurrent), then operation number for a stable order.
        Array.Sort(events);

        _next = new int[(2 * n) + 1];
        _prev = new int[(2 * n) + 1];
        _operation = new int[(2 * n) + 1];
        _isCall = new bool[(2 * n) + 1];
        _callNode = new int[n];
        _returnNode = new int[n];
        for (int node = 0; node <= 2 * n; node++)
        {
            _next[node] = node == 2 * n ? End : node + 1;
            _prev[node] = node - 1;
        }
        for (int e = 0; e < events.Length; e++)
        {
            int node = e + 1;
            int op = events[e].Operation;
            _operation[node] = op;
            _isCall[node] = !events[e].IsReturn;
            if (events[e].IsReturn)
            {
                _returnNode[op] = node;
            }
            else
            {
                _callNode[op] = node;
            }
        }
    }

    /// <summary>The earliest event still in the list, or <see cref="End"/>.</summary>
    public int First => _next[Head];

    /// <summary>Every operation has been lifted: the search succeeded.</summary>
    public bool IsEmpty => _next[Head] == End;

    /// <summary>The event after <paramref name="node"/>, or <see cref="End"/>.</summary>
    public int Next(int node) => _next[node];

    /// <summary>A call event (otherwise a return).</summary>
    public bool IsCall(int node) => _isCall[node];

    /// <summary>The operation the event belongs to.</summary>
    public int OperationOf(int node) => _operation[node];

    /// <summary>The node of an operation's call event (its rank in time).</summary>
    public int CallNodeOf(int operation) => _callNode[operation];

    /// <summary>The node of an operation's return event (its rank in time).</summary>
    public int ReturnNodeOf(int operation) => _returnNode[operation];

    /// <summary>Takes an operation's call and return out of the list: it has been linearized.</summary>
    public void Lift(int callNode)
    {
        Unlink(callNode);
        Unlink(_returnNode[_operation[callNode]]);
    }

    /// <summary>Undoes the latest <see cref="Lift"/> (lifts are undone in reverse order, as in dancing links).</summary>
    public void Unlift(int callNode)
    {
        Relink(_returnNode[_operation[callNode]]);
        Relink(callNode);
    }

    private void Unlink(int node)
    {
        int prev = _prev[node];
        int next = _next[node];
        _next[prev] = next;
        if (next != End)
        {
            _prev[next] = prev;
        }
    }

    private void Relink(int node)
    {
        int prev = _prev[node];
        int next = _next[node];
        _next[prev] = node;
        if (next != End)
        {
            _prev[next] = node;
        }
    }
}
