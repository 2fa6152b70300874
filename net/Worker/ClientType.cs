namespace EchoCache.Net.Worker;

/// <summary>Redis's client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them. Every client here is normal.</summary>
public enum ClientType : byte
{
    /// <summary>An ordinary client ("normal").</summary>
    Normal,

    /// <summary>A replica's link to this server ("replica" or "slave"); never here.</summary>
    Replica,

    /// <summary>This server's link to its primary ("master"); never here.</summary>
    Master,

    /// <summary>A client in subscribe mode ("pubsub"); never here.</summary>
    PubSub,
}
