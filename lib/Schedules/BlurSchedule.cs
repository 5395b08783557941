using static TorchSharp.torch;

namespace SoftDiffusion.Schedules;

/// <summary>
/// The blur width sigma_B(t) in pixels (Soft Diffusion, Section 3 and the level selection of Section 3.4):
/// piecewise linear in t through L levels placed on the uniform grid t_i = i / (L - 1) ("interpolate linearly in t
/// between the 32 levels", docs/method.md §6.1). Levels come from the level selection (<c>Selection.ScheduleSelector</c>) or
/// <see cref="LogSpaced"/> (the [paper] range 0.01 to 23 px at 64 x 64, scaled with H, [choice]).
/// </summary>
public sealed class BlurSchedule
{
    readonly double[] levels;

    /// <summary>Builds the schedule through explicit levels sigma_B(t_0) &lt; ... &lt; sigma_B(t_{L-1}).</summary>
    /// <param name="levels">At least 2 positive, strictly increasing blur widths in pixels.</param>
    public BlurSchedule(IReadOnlyList<double> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count < 2)
            throw new ArgumentException($"Expected at least 2 blur levels, received {levels.Count}.", nameof(levels));
        if (!(levels[0] > 0) || levels.Any(double.IsInfinity))
            throw new ArgumentOutOfRangeException(nameof(levels), $"Expected finite blur levels > 0, received first level {levels[0]}.");
        for (var i = 1; i < levels.Count; i++)
            if (!(levels[i] > levels[i - 1]))
                throw new ArgumentException(
                    $"Expected strictly increasing blur levels, received levels[{i - 1}] = {levels[i - 1]} and levels[{i}] = {levels[i]}.", nameof(levels));
        this.levels = levels.ToArray();
    }

    /// <summary>The default largest blur for height H: 23 * H / 64 pixels ([paper] 23 px at 64 x 64, scaled with H, [choice]).</summary>
    public static double DefaultSigmaMax(long height) => 23.0 * height / 64.0;

    /// <summary>The default smallest blur, 0.01 px ([paper]).</summary>
    public const double DefaultSigmaMin = 0.01;

    /// <summary>L levels log-spaced between <paramref name="sigmaMin"/> and <paramref name="sigmaMax"/> (default 23 H / 64).</summary>
    public static BlurSchedule LogSpaced(long height, int count = 32, double sigmaMin = DefaultSigmaMin, double? sigmaMax = null) =>
        new(LogSpace(sigmaMin, sigmaMax ?? DefaultSigmaMax(height), count));

    /// <summary>count values log-spaced from lo to hi inclusive (the candidates of docs/method.md §6.3 use it too).</summary>
    public static double[] LogSpace(double lo, double hi, int count)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected at least 2 values, received {count}.");
        if (!(lo > 0) || !(hi > lo))
            throw new ArgumentOutOfRangeException(nameof(hi), $"Expected 0 < lo < hi, received lo = {lo}, hi = {hi}.");
        return Enumerable.Range(0, count).Select(i => i == count - 1 ? hi : lo * Math.Pow(hi / lo, i / (double)(count - 1))).ToArray();
    }

    /// <summary>The levels sigma_B(t_i), i = 0..L-1.</summary>
    public IReadOnlyList<double> Levels => levels;

    /// <summary>The grid t_i = i / (L - 1) the levels sit on.</summary>
    public double[] Times => Enumerable.Range(0, levels.Length).Select(i => i / (double)(levels.Length - 1)).ToArray();

    /// <summary>sigma_B(t) for times [B] in [0, 1]; returns [B] in t's dtype and device.</summary>
    public Tensor SigmaB(Tensor t)
    {
        TimeArguments.CheckVector(t, nameof(t));
        using var scope = NewDisposeScope();
        var table = tensor(levels, dtype: t.dtype, device: t.device);
        var u = t * (levels.Length - 1);                                   // position on the level grid
        var i0 = u.floor().clamp(0, levels.Length - 2).to(ScalarType.Int64); // left level of the segment
        var frac = u - i0.to(t.dtype);
        var left = table.index_select(0, i0);
        var right = table.index_select(0, i0 + 1);
        return (left + frac * (right - left)).MoveToOuterDisposeScope();
    }

    /// <summary>sigma_B(t) for one t in [0, 1].</summary>
    public double SigmaB(double t)
    {
        TimeArguments.CheckScalar(t, nameof(t));
        var u = t * (levels.Length - 1);
        var i0 = Math.Clamp((int)Math.Floor(u), 0, levels.Length - 2);
        return levels[i0] + (u - i0) * (levels[i0 + 1] - levels[i0]);
    }
}
