using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace EchoCache.Load;

/// <summary>
/// Runs a campaign over one <see cref="ILoadTarget"/>: the preload, then each phase (closed loop at max, open loop
/// on a timetable), each with an unrecorded warm-up, a progress line every second, and a bounded drain at the end.
/// </summary>
internal sealed class CampaignRunner(LoadOptions options, ILoadTarget target, TextWriter progress)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PreloadLimit = TimeSpan.FromSeconds(120);

    /// <summary>Sets every key once (closed loop, pipelined); returns a line for the report.</summary>
    public string Preload()
    {
        var recorder = new LatencyRecorder();
        var control = new PhaseControl(recorder, closedLoop: true, long.MaxValue, options.Keys);
        long start = Stopwatch.GetTimestamp();
        target.StartClosedLoop(control, options.Depth);
        while (!(control.PreloadIssued && target.InFlight == 0))
        {
            ThrowIfFailed();
            if (Stopwatch.GetElapsedTime(start) > PreloadLimit)
            {
                throw new TimeoutException($"preloading {options.Keys:N0} keys took longer than {PreloadLimit.TotalSeconds:F0} s ({target.InFlight} in flight, all issued: {control.PreloadIssued})");
            }
            Thread.Sleep(10);
        }
        control.Stop();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        IntervalSample sample = recorder.TakeInterval();
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{options.Keys:N0} keys set in {seconds:F2} s ({options.Keys / seconds:N0} SET/s), {sample.Errors} errors");
        progress.WriteLine($"preload: {line}");
        if (sample.Errors > 0)
        {
            throw new InvalidOperationException($"preload failed: {sample.Errors} SETs answered with an error");
        }
        return line;
    }

    /// <summary>Closed loop at max: every connection keeps <see cref="LoadOptions.Depth"/> requests in flight.</summary>
    public PhaseResult RunClosed()
    {
        var recorder = new LatencyRecorder();
        var control = new PhaseControl(recorder, closedLoop: true, options.MaxRequests);
        target.StartClosedLoop(control, options.Depth);
        string description = string.Create(CultureInfo.InvariantCulture,
            $"closed loop at max: {options.Connections} connections × {options.Depth} requests in flight, each reply followed at once by the next request");
        return Measure("closed-loop", description, null, control, scheduler: null);
    }

    /// <summary>Open loop: requests on a fixed timetable of <paramref name="rate"/> per second.</summary>
    public PhaseResult RunOpen(double rate)
    {
        var recorder = new LatencyRecorder();
        var control = new PhaseControl(recorder, closedLoop: false, options.MaxRequests);
        target.BeginOpenLoop(control);
        var scheduler = new OpenLoopScheduler(target, rate, options.TickMicroseconds);
        scheduler.Start(Stopwatch.GetTimestamp(), options.Warmup + options.Duration, control);
        string description = string.Create(CultureInfo.InvariantCulture,
            $"open loop at {rate:N0} requests/s on a fixed timetable over {options.Connections} connections (at most {options.MaxInFlight:N0} in flight each); latency measured from each request's intended send time; scheduler tick {options.TickMicroseconds} µs");
        return Measure("open-loop", description, rate, control, scheduler);
    }

    private PhaseResult Measure(string name, string description, double? rate, PhaseControl control, OpenLoopScheduler? scheduler)
    {
        progress.WriteLine($"{name}: {description}");
        LatencyRecorder recorder = control.Recorder;
        WaitOrStop(Stopwatch.GetTimestamp(), options.Warmup, control);
        _ = recorder.TakeInterval(); // the warm-up is not recorded

        var overallLatency = LatencyRecorder.CreateHistogram();
        var overallService = LatencyRecorder.CreateHistogram();
        var overallLag = LatencyRecorder.CreateHistogram();
        var rows = new List<IntervalRow>();
        long misses = 0, errors = 0, completed = 0;
        var watched = new List<WatchedProcess> { new("load tool", 0) };
        watched.AddRange(options.Watched);
        long[] cpuStart = [.. watched.Select(w => ProcessCpu.Nanoseconds(w.Pid))];
        long start = Stopwatch.GetTimestamp();
        long last = start;
        for (int second = 1; second <= (int)options.Duration.TotalSeconds; second++)
        {
            bool stopped = WaitOrStop(start, TimeSpan.FromSeconds(second), control);
            long now = Stopwatch.GetTimestamp();
            IntervalSample sample = recorder.TakeInterval();
            IntervalRow row = RowOf(second.ToString(CultureInfo.InvariantCulture), Seconds(now - last), sample);
            last = now;
            rows.Add(row);
            Accumulate(sample);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} {second,3}s  {row.Throughput,10:N0} req/s  p50 {row.P50,7:N0} µs  p99 {row.P99,7:N0} µs  p99.9 {row.P999,7:N0} µs  in flight {target.InFlight,6:N0}  misses {row.Misses:N0}  errors {row.Errors:N0}"));
            if (stopped)
            {
                break;
            }
        }
        double measured = Seconds(Stopwatch.GetTimestamp() - start);
        long[] cpuEnd = [.. watched.Select(w => ProcessCpu.Nanoseconds(w.Pid))];
        long completedMeasured = completed;

        // Stop issuing, then give the requests in flight a bounded time to come back; they count in the latencies.
        control.Stop();
        scheduler?.Stop();
        long drainStart = Stopwatch.GetTimestamp();
        while (target.InFlight > 0 && Stopwatch.GetElapsedTime(drainStart) < DrainLimit && target.Failure == null)
        {
            Thread.Sleep(5);
        }
        Accumulate(recorder.TakeInterval());
        ThrowIfFailed();

        var cpu = new List<CpuUse>();
        for (int i = 0; i < watched.Count; i++)
        {
            if (cpuStart[i] < 0 || cpuEnd[i] < 0)
            {
                continue;
            }
            double seconds = (cpuEnd[i] - cpuStart[i]) / 1e9;
            cpu.Add(new CpuUse(watched[i].Name, seconds, completedMeasured > 0 ? seconds * 1e6 / completedMeasured : 0, seconds / measured));
        }
        IntervalRow overall = new("overall", measured, completedMeasured, completedMeasured / measured,
            Micros(overallLatency, 50), Micros(overallLatency, 99), Micros(overallLatency, 99.9), overallLatency.GetMaxValue() / 1000.0,
            misses, errors);
        return new PhaseResult
        {
            Name = name,
            Description = description,
            TargetRate = rate,
            Rows = rows,
            Overall = overall,
            Service = (Micros(overallService, 50), Micros(overallService, 99), Micros(overallService, 99.9)),
            Lag = (Micros(overallLag, 50), Micros(overallLag, 99), Micros(overallLag, 99.9)),
            Issued = control.Issued,
            Unanswered = target.InFlight,
            Backlogged = scheduler?.Backlogged ?? 0,
            Cpu = cpu,
        };

        void Accumulate(IntervalSample sample)
        {
            overallLatency.Add(sample.Latency);
            overallService.Add(sample.Service);
            overallLag.Add(sample.Lag);
            misses += sample.Misses;
            errors += sample.Errors;
            completed += sample.Completed;
        }
    }

    /// <summary>Sleeps until <paramref name="offset"/> after <paramref name="start"/>; true if the phase stopped (budget spent).</summary>
    private bool WaitOrStop(long start, TimeSpan offset, PhaseControl control)
    {
        while (true)
        {
            ThrowIfFailed();
            if (control.Stopping)
            {
                return true;
            }
            TimeSpan left = offset - Stopwatch.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }
            Thread.Sleep(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50));
        }
    }

    private void ThrowIfFailed()
    {
        if (target.Failure is { } failure)
        {
            throw new IOException($"a connection to the server failed: {failure.Message}", failure);
        }
    }

    private static IntervalRow RowOf(string label, double seconds, IntervalSample sample) => new(
        label, seconds, sample.Completed, sample.Completed / seconds,
        Micros(sample.Latency, 50), Micros(sample.Latency, 99), Micros(sample.Latency, 99.9), sample.Latency.GetMaxValue() / 1000.0,
        sample.Misses, sample.Errors);

    private static double Micros(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
