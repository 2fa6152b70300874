using ScottPlot;

namespace EchoCache.Load;

/// <summary>
/// Draws a phase as a PNG: throughput per second above, p50/p99/p99.9 latency per second below (milliseconds, log
/// scale so p50 stays readable beside the tail), on a shared time axis.
/// </summary>
internal static class ChartWriter
{
    public static void Write(string path, PhaseResult phase)
    {
        double[] seconds = [.. phase.Rows.Select((_, i) => i + 1.0)];
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot throughput = multiplot.GetPlot(0);
        Plot latency = multiplot.GetPlot(1);

        throughput.Title($"{phase.Name}: throughput per second");
        var rate = throughput.Add.Scatter(seconds, [.. phase.Rows.Select(r => r.Throughput)]);
        rate.LegendText = "requests/s";
        rate.LineWidth = 2;
        if (phase.TargetRate is { } target)
        {
            var line = throughput.Add.HorizontalLine(target);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "target rate";
        }
        throughput.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        throughput.Axes.Left.Label.Text = "requests/s";
        throughput.Axes.Bottom.Label.Text = "second";
        throughput.Axes.SetLimitsY(0, Math.Max(1, phase.Rows.Max(r => r.Throughput)) * 1.15);
        throughput.ShowLegend(Alignment.LowerRight);

        latency.Title($"{phase.Name}: latency per second (log scale)");
        AddLatency(latency, seconds, phase.Rows.Select(r => r.P50), "p50");
        AddLatency(latency, seconds, phase.Rows.Select(r => r.P99), "p99");
        AddLatency(latency, seconds, phase.Rows.Select(r => r.P999), "p99.9");
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = value => FormatMilliseconds(Math.Pow(10, value)),
        };
        latency.Axes.Left.TickGenerator = ticks;
        latency.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        // Whole decades above and below the data, so at least two labelled ticks show.
        double low = phase.Rows.Min(r => LogMilliseconds(r.P50));
        double high = phase.Rows.Max(r => LogMilliseconds(Math.Max(r.P999, r.P50)));
        latency.Axes.SetLimitsY(Math.Floor(low) - 0.05, Math.Max(Math.Ceiling(high), Math.Floor(low) + 1) + 0.05);
        latency.Axes.Left.Label.Text = "latency (ms)";
        latency.Axes.Bottom.Label.Text = "second";
        latency.ShowLegend(Alignment.UpperRight);

        multiplot.SharedAxes.ShareX([throughput, latency]);
        multiplot.SavePng(path, 1000, 800);
    }

    private static void AddLatency(Plot plot, double[] seconds, IEnumerable<double> micros, string label)
    {
        // Log scale: plot log10 of milliseconds (a floor of 1 µs keeps empty seconds finite).
        var scatter = plot.Add.Scatter(seconds, [.. micros.Select(LogMilliseconds)]);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
    }

    private static double LogMilliseconds(double micros) => Math.Log10(Math.Max(micros, 1) / 1000.0);

    private static string FormatMilliseconds(double ms) =>
        ms >= 1 ? ms.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)
            : ms.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
