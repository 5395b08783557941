using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The forward process drawn as a strip: each image at evenly spaced times t = 0 .. 1, one row per image (the
/// corruption figures of notebooks 00, 01 and 03).
/// </summary>
public static class ForwardStrip
{
    /// <summary>[R * columns, C, H, W]: row i holds C_t x_0^(i) (without <paramref name="noise"/>) or
    /// x_t = C_t x_0^(i) + sigma_t eta (with it; eta of row i drawn from seed i) at t = 0, 1 / (columns - 1), .., 1.</summary>
    /// <param name="corruption">C_t.</param>
    /// <param name="x0">Clean images [R, C, H, W].</param>
    /// <param name="noise">sigma_t; null draws the strip without noise.</param>
    /// <param name="columns">Times per row, at least 2.</param>
    public static Tensor Of(ICorruption corruption, Tensor x0, INoiseSchedule? noise = null, int columns = 11)
    {
        if (x0.dim() != 4)
            throw new ArgumentException($"Expected images [R, C, H, W], got shape [{string.Join(", ", x0.shape)}].", nameof(x0));
        if (columns < 2) throw new ArgumentOutOfRangeException(nameof(columns), columns, "Expected at least 2 times per row.");
        using var scope = NewDisposeScope();
        var times = linspace(0, 1, columns).to(x0.device);
        var process = noise is null ? null : new CorruptionProcess(corruption, noise);
        var rows = new Tensor[x0.shape[0]];
        for (int i = 0; i < rows.Length; i++)
        {
            var xi = x0.narrow(0, i, 1).expand(columns, -1, -1, -1);
            if (process is null) { rows[i] = corruption.Apply(xi, times); continue; }
            using var eta = new PerSampleNoise(seed: i, count: columns);
            rows[i] = process.Sample(xi, times, eta);
        }
        return cat(rows, 0).MoveToOuterDisposeScope();
    }
}
