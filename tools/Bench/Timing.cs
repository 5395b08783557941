using System.Diagnostics;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>Median wall time of repeated runs, each inside its own dispose scope, after warm-up runs.</summary>
static class Timing
{
    public static double MedianMilliseconds(Action run, int repeats = 10, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) Once(run);
        return Median(Enumerable.Range(0, repeats).Select(_ => Once(run)));
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static double Once(Action run)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMilliseconds;
    }

    public static void Report(string what, double milliseconds, string? note = null) =>
        Console.WriteLine($"  {what,-58} {milliseconds,10:F2} ms{(note is null ? "" : "  " + note)}");
}
