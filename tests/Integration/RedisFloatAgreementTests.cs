using System.Globalization;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The linearizability checker's model of INCRBYFLOAT (<see cref="RedisFloat"/>, which computes the text a float
/// increment stores) against a real worker: the same answer — the same digits, or the same refusal — for
/// thousands of values and increments, ordinary and odd (exponents, hexadecimal, infinities, blanks, huge and tiny
/// magnitudes, rounding noise). A model that disagreed would turn a correct cache's answers into false alarms.
/// </summary>
public sealed class RedisFloatAgreementTests
{
    private static readonly string[] Odd = ["inf", "Infinity", "nan", "1e", ".", "1.2.3", " 1", "1 ", "0x", ".5", "5.", "1e+3", "0X1P-2"];

    [Fact]
    public void The_model_of_a_float_increment_gives_the_text_a_worker_gives()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using RespConnection connection = RespConnection.Connect(port, TimeSpan.FromSeconds(10));
        var random = new Random(20260101);
        int refused = 0;
        for (int round = 0; round < 3000; round++)
        {
            string? value = round % 10 == 0 ? null : RandomFloatText(random);
            string delta = RandomFloatText(random);
            RespReply reset = value is null ? connection.Call("DEL", "f") : connection.Call("SET", "f", value);
            Assert.False(reset.IsError, reset.ToString());

            RespReply reply = connection.Call("INCRBYFLOAT", "f", delta);
            bool accepted = RedisFloat.TryIncrement(value, delta, out string expected);

            string what = $"round {round}: INCRBYFLOAT of {(value is null ? "a missing key" : $"\"{value}\"")} by \"{delta}\"";
            if (reply.IsError)
            {
                Assert.False(accepted, $"{what}: the worker refused ({reply}), the model answers \"{expected}\"");
                refused++;
            }
            else
            {
                Assert.True(accepted, $"{what}: the worker answers {reply}, the model refuses");
                Assert.Equal(expected, reply.Text);
                Assert.Equal(expected, connection.Call("GET", "f").Text);
            }
        }
        // Both outcomes are common, so the agreement means something.
        Assert.InRange(refused, 300, 2000);
    }

    /// <summary>Float texts of every shape string2ld meets, and some it refuses.</summary>
    private static string RandomFloatText(Random random)
    {
        string Digits(int max) => string.Concat(Enumerable.Range(0, random.Next(1, max + 1)).Select(_ => (char)('0' + random.Next(10))));
        string sign = random.Next(4) switch { 0 => "-", 1 => "+", _ => "" };
        return random.Next(16) switch
        {
            0 or 1 => sign + Digits(4),
            2 or 3 => sign + Digits(3) + "." + Digits(3),
            4 => sign + Digits(2) + "." + Digits(25),
            5 => sign + Digits(20) + "." + Digits(5),
            6 => sign + Digits(2) + "e" + (random.Next(2) == 0 ? "-" : "") + random.Next(0, 30).ToString(CultureInfo.InvariantCulture),
            7 => sign + "1e" + (random.Next(2) == 0 ? "-" : "") + random.Next(4900, 4960).ToString(CultureInfo.InvariantCulture),
            8 => sign + "0x" + Digits(3) + "." + "8p" + random.Next(-70, 70).ToString(CultureInfo.InvariantCulture),
            9 => sign + Odd[random.Next(Odd.Length)],
            10 => sign + "0." + new string('0', random.Next(15, 20)) + Digits(2),
            11 => sign + "0.1",
            12 => (random.NextDouble() * 2000 - 1000).ToString("R", CultureInfo.InvariantCulture),
            13 => sign + Digits(2) + ".5",
            14 => "abc",
            _ => sign + Digits(1) + "." + Digits(1),
        };
    }
}
