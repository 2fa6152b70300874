namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// A request parsed ahead of running it (<see cref="ParseAhead"/>): its length in the input, and where its
    /// <paramref name="ArgumentCount"/> arguments start in <see cref="_aheadArguments"/>.
    /// </summary>
    private readonly record struct ParsedRequest(int Length, int FirstArgument, int ArgumentCount);
}
