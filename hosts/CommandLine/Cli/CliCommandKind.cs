namespace EchoCache.CommandLine;

/// <summary>What a command line asks for.</summary>
internal enum CliCommandKind
{
    /// <summary><c>set &lt;key&gt; &lt;value&gt; [ttl seconds]</c></summary>
    Set,
    /// <summary><c>get &lt;key&gt;</c></summary>
    Get,
    /// <summary><c>del &lt;key&gt;</c></summary>
    Delete,
    /// <summary><c>ttl &lt;key&gt;</c></summary>
    TimeToLive,
    /// <summary><c>incr &lt;key&gt; [delta]</c></summary>
    Increment,
    /// <summary><c>decr &lt;key&gt; [delta]</c></summary>
    Decrement,
    /// <summary><c>help</c></summary>
    Help,
    /// <summary><c>quit</c> (or <c>exit</c>)</summary>
    Quit,
}
