using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs"): the unbiased estimate of the squared
/// maximum mean discrepancy between two feature sets under the polynomial kernel k(x, y) = (x.y / d + 1)^3,
/// averaged over random subsets. A cheap, unbiased companion of FID; it needs the features themselves, not
/// their Gaussian statistics.
/// </summary>
public static class KernelInceptionDistance
{
    /// <summary>KID between two feature sets, each subset pair drawn with <paramref name="generator"/> (a CPU generator).</summary>
    /// <param name="first">Features [N_1, D].</param>
    /// <param name="second">Features [N_2, D].</param>
    /// <param name="options">Subset count and size.</param>
    /// <param name="generator">Draws the subsets.</param>
    public static KernelInceptionDistanceResult Compute(Tensor first, Tensor second, KernelInceptionDistanceOptions options, Generator generator)
    {
        if (first.dim() != 2 || second.dim() != 2 || first.shape[1] != second.shape[1])
            throw new ArgumentException(
                $"Expected features [N_1, D] and [N_2, D], got [{string.Join(", ", first.shape)}] and [{string.Join(", ", second.shape)}].");
        int m = (int)Math.Min(options.SubsetSize, Math.Min(first.shape[0], second.shape[0]));
        if (m < 2) throw new ArgumentException($"KID needs at least 2 vectors per set; the subset size is {m}.");
        if (options.SubsetCount < 1) throw new ArgumentOutOfRangeException(nameof(options), options.SubsetCount, "Expected at least one subset.");
        var perSubset = new double[options.SubsetCount];
        for (int s = 0; s < perSubset.Length; s++)
        {
            using var scope = NewDisposeScope();
            perSubset[s] = UnbiasedMmd2(Subset(first, m, generator), Subset(second, m, generator));
        }
        double mean = perSubset.Average();
        double std = Math.Sqrt(perSubset.Select(v => (v - mean) * (v - mean)).Average());
        return new KernelInceptionDistanceResult(perSubset, mean, std, m);
    }

    /// <summary>m rows drawn without replacement, as float64.</summary>
    static Tensor Subset(Tensor features, int m, Generator generator)
    {
        var rows = randperm(features.shape[0], generator: generator).narrow(0, 0, m).to(features.device);
        return features.index_select(0, rows).to(ScalarType.Float64);
    }

    /// <summary>
    /// MMD^2_u = sum_{i!=j} k(x_i, x_j) / (m(m-1)) + sum_{i!=j} k(y_i, y_j) / (m(m-1)) - 2 sum_{i,j} k(x_i, y_j) / m^2.
    /// </summary>
    static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        long m = x.shape[0];
        var kxx = Kernel(x, x);
        var kyy = Kernel(y, y);
        var kxy = Kernel(x, y);
        double offDiagonal = (kxx.sum() - kxx.trace() + kyy.sum() - kyy.trace()).item<double>() / (m * (m - 1.0));
        return offDiagonal - 2 * kxy.mean().item<double>();
    }

    /// <summary>k(x, y) = (x.y / d + 1)^3 for all row pairs.</summary>
    static Tensor Kernel(Tensor x, Tensor y) => (x.matmul(y.T) / x.shape[1] + 1).pow(3);
}
