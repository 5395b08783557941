using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Bootstrap intervals for FID [choice]: each resample draws, with replacement, as many generated features as there
/// are and as many reference features as there are, and recomputes the Frechet distance of the fitted Gaussians; the
/// interval is the percentile interval of the resampled values. Resampling both sets makes the interval cover the
/// variability of the generated samples and of the reference alike. For two sample sets drawn with the same seeds
/// (sample k of one and of the other start from the same x_1 and noise) the difference is resampled with the same
/// indices in both, a paired bootstrap.
/// </summary>
public static class FidBootstrap
{
    /// <summary>FID of <paramref name="generated"/> against <paramref name="reference"/> with its interval.</summary>
    /// <param name="generated">Features [N, D].</param>
    /// <param name="reference">Features [M, D].</param>
    /// <param name="resamples">Bootstrap resamples (at least 20).</param>
    /// <param name="level">Coverage in (0, 1).</param>
    /// <param name="seed">Seed of the resampling.</param>
    public static FidInterval Interval(Tensor generated, Tensor reference, int resamples = 200, double level = 0.95, long seed = 0) =>
        Paired(generated, null, reference, resamples, level, seed);

    /// <summary>FID(first) - FID(second) with a paired interval; row k of both sets must come from the same seeds.</summary>
    /// <param name="first">Features [N, D] of the first sample set.</param>
    /// <param name="second">Features [N, D] of the second, row k paired with row k of <paramref name="first"/>.</param>
    /// <param name="reference">Features [M, D].</param>
    /// <param name="resamples">Bootstrap resamples (at least 20).</param>
    /// <param name="level">Coverage in (0, 1).</param>
    /// <param name="seed">Seed of the resampling.</param>
    public static FidInterval Difference(Tensor first, Tensor second, Tensor reference, int resamples = 200, double level = 0.95, long seed = 0)
    {
        if (!first.shape.SequenceEqual(second.shape))
            throw new ArgumentException($"Expected paired feature sets of one shape, got [{string.Join(", ", first.shape)}] and [{string.Join(", ", second.shape)}].");
        return Paired(first, second, reference, resamples, level, seed);
    }

    // Resample the rows of (first, second) with one index set and the reference with another; the statistic is
    // FID(first) or FID(first) - FID(second).
    static FidInterval Paired(Tensor first, Tensor? second, Tensor reference, int resamples, double level, long seed)
    {
        CheckFeatures(first, reference);
        if (resamples < 20) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "Expected at least 20 resamples.");
        if (level is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(level), level, "Expected a level in (0, 1).");
        using var scope = NewDisposeScope();
        var (x, y, r) = (first.to(ScalarType.Float64), second?.to(ScalarType.Float64), reference.to(ScalarType.Float64));
        double Statistic(Tensor rows, Tensor referenceRows)
        {
            using var inner = NewDisposeScope();
            var (mu, sigma) = Moments(r.index_select(0, referenceRows));
            double value = Fid(x.index_select(0, rows), mu, sigma);
            return y is null ? value : value - Fid(y.index_select(0, rows), mu, sigma);
        }
        double estimate = Statistic(arange(x.shape[0], device: x.device), arange(r.shape[0], device: r.device));
        using var generator = new Generator(unchecked((ulong)seed));
        var values = new double[resamples];
        for (int b = 0; b < resamples; b++)
            values[b] = Statistic(randint(x.shape[0], [x.shape[0]], generator: generator).to(x.device),
                randint(r.shape[0], [r.shape[0]], generator: generator).to(r.device));
        Array.Sort(values);
        double tail = (1 - level) / 2;
        return new FidInterval(estimate, Quantile(values, tail), Quantile(values, 1 - tail), level, resamples);
    }

    static double Fid(Tensor features, Tensor referenceMean, Tensor referenceCovariance)
    {
        var (mu, sigma) = Moments(features);
        return FrechetDistance.Compute(mu, sigma, referenceMean, referenceCovariance).Value;
    }

    // Mean [D] and unbiased covariance [D, D] of the rows.
    static (Tensor Mean, Tensor Covariance) Moments(Tensor rows)
    {
        var mean = rows.mean([0]);
        var centred = rows - mean;
        return (mean, centred.T.matmul(centred) / (rows.shape[0] - 1));
    }

    // Linear interpolation between order statistics (numpy's default).
    static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    static void CheckFeatures(Tensor generated, Tensor reference)
    {
        if (generated.dim() != 2 || reference.dim() != 2 || generated.shape[1] != reference.shape[1] || generated.shape[0] < 2 || reference.shape[0] < 2)
            throw new ArgumentException(
                $"Expected features [N, D] and [M, D] with N, M >= 2, got [{string.Join(", ", generated.shape)}] and [{string.Join(", ", reference.shape)}].");
    }
}
