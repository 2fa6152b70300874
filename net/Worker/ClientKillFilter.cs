namespace EchoCache.Net.Worker;

/// <summary>
/// Which clients CLIENT KILL closes: those matching every filter given (null or 0: any), as Redis's clientCommand
/// tests them. <see cref="SkipCaller"/> spares the client that asked (the new form's default, SKIPME YES).
/// </summary>
/// <param name="Address">ADDR, or the old form's address: the peer's "ip:port", compared exactly.</param>
/// <param name="LocalAddress">LADDR: the server's "ip:port" the client connected to.</param>
/// <param name="Type">TYPE.</param>
/// <param name="Id">ID; 0 for any.</param>
/// <param name="SkipCaller">SKIPME YES.</param>
public readonly record struct ClientKillFilter(string? Address, string? LocalAddress, ClientType? Type, long Id, bool SkipCaller)
{
    /// <summary>Whether <paramref name="client"/> matches (the caller excepted, which <see cref="SkipCaller"/> decides).</summary>
    public bool Matches(ConnectedClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return (Address is null || Address == client.Address)
            && (LocalAddress is null || LocalAddress == client.LocalAddress)
            && (Type is null || Type == ClientType.Normal)
            && (Id == 0 || Id == client.Id);
    }
}
