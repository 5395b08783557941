using SoftDiffusion.Corruptions;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Selection;

/// <summary>
/// Pairwise distances between the blurred-and-noised data distributions q_i = law(C_i x_0 + sigma_i eta) of a set of
/// blur levels (the graph weights of the level selection, Soft Diffusion Section 3.4 / docs/method.md §6.2), computed from
/// the per-coefficient DCT moments of the data only (see <see cref="DistanceEstimator"/>).
/// Both estimators are Euclidean distances between one feature vector per level:
/// coupling bound f_i = [d_i sqrt(M), sqrt(n) sigma_i] with M_kl = sum_c E[X^_ckl^2];
/// diagonal Frechet f_i = [d_i sqrt(sum_c m_ckl^2), sqrt(d_i^2 v_ckl + sigma_i^2)].
/// </summary>
public static class CorruptedDistance
{
    /// <summary>The symmetric distance matrix [K, K] (float64, CPU) of K blur levels.</summary>
    /// <param name="moments">E[DCT2(x_0)] and E[DCT2(x_0)^2] of the data, [C, H, W].</param>
    /// <param name="sigmaB">Blur widths of the K levels (pixels).</param>
    /// <param name="sigma">Noise levels of the K levels.</param>
    /// <param name="estimator">Which distance.</param>
    public static Tensor Matrix(DctMoments moments, IReadOnlyList<double> sigmaB, IReadOnlyList<double> sigma, DistanceEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (sigmaB.Count != sigma.Count || sigmaB.Count < 1)
            throw new ArgumentException($"Expected as many noise levels as blur levels (>= 1), received {sigma.Count} and {sigmaB.Count}.", nameof(sigma));
        using var scope = NewDisposeScope();
        var device = moments.Mean.device;
        var (h, w) = (moments.Mean.shape[1], moments.Mean.shape[2]);
        var d = BlurCorruption.HeatAttenuation(tensor(sigmaB.ToArray(), dtype: ScalarType.Float64, device: device), h, w).view(sigmaB.Count, -1); // [K, HW]
        var s = tensor(sigma.ToArray(), dtype: ScalarType.Float64, device: device).unsqueeze(1);                                              // [K, 1]
        var f = estimator switch
        {
            DistanceEstimator.CouplingBound => CouplingFeatures(d, s, moments),
            DistanceEstimator.DiagonalFrechet => FrechetFeatures(d, s, moments),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown distance estimator."),
        };
        // Differences summed directly (no |a|^2 + |b|^2 - 2 a.b expansion, which cancels for close neighbours).
        return cdist(f, f, 2.0, compute_mode.donot_use_mm_for_euclid_dist).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>f_i = [d_i sqrt(M), sqrt(n) sigma_i]: ||f_i - f_j||^2 = sum_kl (d_i - d_j)^2 M_kl + n (sigma_i - sigma_j)^2.</summary>
    static Tensor CouplingFeatures(Tensor d, Tensor s, DctMoments moments)
    {
        var m = moments.SecondMoment.sum([0]).view(1, -1);
        return cat([d * m.sqrt(), s * Math.Sqrt(moments.Mean.numel())], 1);
    }

    /// <summary>f_i = [d_i sqrt(sum_c m^2), sqrt(d_i^2 v + sigma_i^2)]: the W2 distance of diagonal Gaussians (mean part, standard-deviation part).</summary>
    static Tensor FrechetFeatures(Tensor d, Tensor s, DctMoments moments)
    {
        var k = d.shape[0];
        var meanSquares = moments.Mean.square().sum([0]).view(1, -1);                                 // [1, HW]
        var variance = moments.Variance().view(1, moments.Mean.shape[0], -1);                       // [1, C, HW]
        var std = (d.square().unsqueeze(1) * variance + s.square().view(k, 1, 1)).sqrt().view(k, -1); // [K, C HW]
        return cat([d * meanSquares.sqrt(), std], 1);
    }
}
