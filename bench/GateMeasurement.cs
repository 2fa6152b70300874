namespace EchoCache.Bench;

/// <summary>
/// One benchmark row of one run, as BenchmarkDotNet's full JSON exporter wrote it.
/// </summary>
/// <param name="Row">The row's name: <c>Class.Method</c>, then its parameters in brackets if it has any.</param>
/// <param name="Type">The benchmark class's name.</param>
/// <param name="Method">The benchmark method.</param>
/// <param name="Parameters">The parameters as <c>Name=value, Name=value</c>, or empty.</param>
/// <param name="MedianNanoseconds">Median time per operation (BenchmarkDotNet divides by OperationsPerInvoke).</param>
/// <param name="AllocatedBytesPerOperation">MemoryDiagnoser's bytes allocated per operation, on every thread.</param>
public sealed record GateMeasurement(
    string Row, string Type, string Method, string Parameters, double MedianNanoseconds, long AllocatedBytesPerOperation)
{
    /// <summary>The name of a row of the same class with the same parameters.</summary>
    public static string RowName(string type, string method, string parameters) =>
        parameters.Length == 0 ? $"{type}.{method}" : $"{type}.{method}[{parameters}]";
}
