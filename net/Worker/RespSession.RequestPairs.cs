using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>The key/value pairs of an MSETNX request, read in place.</summary>
    private readonly ref struct RequestPairs(RespRequest request) : IKeyValuePairs
    {
        private readonly RespRequest _request = request;

        public int Count => (_request.Count - 1) / 2;

        public ReadOnlySpan<byte> Key(int index) => _request[1 + (2 * index)];

        public ReadOnlySpan<byte> Value(int index) => _request[2 + (2 * index)];
    }
}
