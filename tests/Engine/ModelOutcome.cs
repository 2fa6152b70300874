using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>
/// The model's prediction for one operation: the status, the item handed to the sink (null: none), the version
/// answered (0: a new local one, above any the key ever had), an increment's result, and the key's next state.
/// </summary>
internal readonly record struct ModelOutcome(CacheStatus Status, ModelEntry? Previous, ulong Version, long Value, ModelEntry? Next);
