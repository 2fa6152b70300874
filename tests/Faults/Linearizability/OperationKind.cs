namespace EchoCache.Faults.Linearizability;

/// <summary>What a recorded operation did to its key. <see cref="Operation"/> lists each kind's input and output.</summary>
public enum OperationKind
{
    /// <summary>SET: stores <see cref="Operation.Input"/> under the key.</summary>
    Set,

    /// <summary>GET: reads the key; <see cref="Operation.Output"/> is the value read, or null when the key was missing.</summary>
    Get,

    /// <summary>DEL whose reply is not recorded: removes the key. See <see cref="CountedDelete"/> for one whose reply is.</summary>
    Delete,

    /// <summary>
    /// INCR/INCRBY: adds the integer <see cref="Operation.Input"/> to the key (missing counts as 0);
    /// <see cref="Operation.Output"/> is the value after, or <see cref="Operation.Rejected"/> when the cache refused
    /// (the value is not an integer, or the sum overflows) and changed nothing.
    /// </summary>
    Increment,

    /// <summary>SET NX / SETNX: stores <see cref="Operation.Input"/> only if the key is missing; <see cref="Operation.Output"/> is "1" if it did, "0" if not.</summary>
    SetIfAbsent,

    /// <summary>GETSET / SET … GET: stores <see cref="Operation.Input"/>; <see cref="Operation.Output"/> is the value before, or null when the key was missing.</summary>
    GetSet,

    /// <summary>APPEND: appends <see cref="Operation.Input"/> (missing counts as empty); <see cref="Operation.Output"/> is the new length in UTF-8 bytes.</summary>
    Append,

    /// <summary>
    /// INCRBYFLOAT: adds the float <see cref="Operation.Input"/> (as the client sent it) to the key (missing counts as 0);
    /// <see cref="Operation.Output"/> is the new value's text as the cache formats and stores it, or
    /// <see cref="Operation.Rejected"/> when it refused (not a valid float, or the sum is infinite) and changed nothing.
    /// </summary>
    IncrementByFloat,

    /// <summary>GETDEL: removes the key; <see cref="Operation.Output"/> is the value it had, or null when it was missing.</summary>
    GetDelete,

    /// <summary>DEL of one key with its reply recorded: removes the key; <see cref="Operation.Output"/> is "1" if it existed, "0" if not.</summary>
    CountedDelete,

    /// <summary>
    /// RENAME: moves the value of <see cref="Operation.Key"/> to the key named by <see cref="Operation.Input"/>
    /// (overwriting it) and removes <see cref="Operation.Key"/>; <see cref="Operation.Output"/> is "OK", or
    /// <see cref="Operation.Rejected"/> when the source was missing ("no such key") and nothing changed. It touches
    /// two keys, so the checker checks the two (and every key linked to them by renames) as one register.
    /// </summary>
    Rename,

    /// <summary>
    /// EXPIRE (or the binary TOUCH) with a time to live far beyond the history: the value does not change;
    /// <see cref="Operation.Output"/> is "1" if the key existed (its expiry was set), "0" if not.
    /// </summary>
    Expire,
}
