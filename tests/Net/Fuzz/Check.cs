using System.Runtime.CompilerServices;

namespace EchoCache.Tests.Net.Fuzz;

/// <summary>
/// Assertions for the fuzz loops: the same checks as xunit's Assert, without its per-call cost, so the inputs go to
/// the parsers rather than to the assertion library. Failures throw xunit's exception with the expression.
/// </summary>
internal static class Check
{
    public static void Equal<T>(T expected, T actual, [CallerArgumentExpression(nameof(actual))] string expression = "")
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new Xunit.Sdk.XunitException($"{expression}: expected {expected}, got {actual}");
        }
    }

    public static void NotEqual<T>(T unexpected, T actual, [CallerArgumentExpression(nameof(actual))] string expression = "")
    {
        if (EqualityComparer<T>.Default.Equals(unexpected, actual))
        {
            throw new Xunit.Sdk.XunitException($"{expression}: did not expect {actual}");
        }
    }

    public static void InRange<T>(T actual, T low, T high, [CallerArgumentExpression(nameof(actual))] string expression = "")
        where T : IComparable<T>
    {
        if (actual.CompareTo(low) < 0 || actual.CompareTo(high) > 0)
        {
            throw new Xunit.Sdk.XunitException($"{expression}: {actual} not in [{low}, {high}]");
        }
    }

    public static void True(bool condition, [CallerArgumentExpression(nameof(condition))] string expression = "")
    {
        if (!condition)
        {
            throw new Xunit.Sdk.XunitException($"{expression} is false");
        }
    }

    public static void False(bool condition, [CallerArgumentExpression(nameof(condition))] string expression = "")
    {
        if (condition)
        {
            throw new Xunit.Sdk.XunitException($"{expression} is true");
        }
    }
}
