using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>
/// Runs a sampler with the exact denoiser of 8 x 8 Gaussian data from the exact marginal at t = 1 and compares the
/// final state with the exact marginal at t = 0, N(C_0 mu, C_0 Sigma C_0^T + sigma_0^2 I).
/// </summary>
sealed class GaussianSamplerHarness : IDisposable
{
    public const int Size = 8;
    static readonly long[] ImageShape = [1, Size, Size];
    readonly GaussianPosteriorDenoiser oracle;
    readonly ICorruption corruption;
    readonly INoiseSchedule schedule;

    public GaussianSamplerHarness(ICorruption corruption, INoiseSchedule schedule)
    {
        using var scope = NewDisposeScope();
        oracle = new GaussianPosteriorDenoiser(GaussianImages.Mean(Size, Size), GaussianImages.Covariance(Size, Size), corruption, schedule);
        this.corruption = corruption;
        this.schedule = schedule;
    }

    /// <summary>Sampler errors against the exact q_0 from <paramref name="count"/> samples.</summary>
    public SamplerError Measure(ISampler sampler, int steps, int count, long seed = 7)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed));
        var x1 = GaussianImages.Sample(oracle.MarginalMean(1), oracle.MarginalCovariance(1), count, ImageShape, generator).to(ScalarType.Float32);
        using var noise = new PerSampleNoise(seed + 1000, count);
        using var result = sampler.Sample(oracle, corruption, schedule, x1, steps, noise);
        return SamplerError.Of(result.X, oracle.MarginalMean(0), oracle.MarginalCovariance(0));
    }

    public void Dispose() => oracle.Dispose();
}

/// <summary>
/// Errors of samples against N(mean, covariance), each with its Monte Carlo scale for exact samples (n of them):
/// the largest |z_i| = |m_i - mu_i| / sqrt(Sigma_ii / n) over pixels (each z_i ~ N(0, 1));
/// the relative Frobenius error ||S - Sigma||_F / ||Sigma||_F of the covariance, whose expectation for exact samples is
/// about sqrt((tr(Sigma)^2 + ||Sigma||_F^2) / n) / ||Sigma||_F (from Var S_ij = (Sigma_ii Sigma_jj + Sigma_ij^2) / n);
/// the largest relative error of the variance along an eigenvector of Sigma, max_k |v_k^T S v_k / lambda_k - 1|, each
/// term with standard error sqrt(2 / n); it sees the small-variance (high-frequency) directions the Frobenius norm hides.
/// </summary>
sealed record SamplerError(double MaxMeanZ, double CovarianceRelError, double CovarianceRelErrorMonteCarlo, double MaxDirectionalVarianceError)
{
    public static SamplerError Of(Tensor samples, Tensor mean, Tensor covariance)
    {
        using var scope = NewDisposeScope();
        var (m, s) = GaussianImages.Moments(samples);
        long n = samples.shape[0];
        double maxZ = ((m - mean).abs() / (covariance.diagonal() / n).sqrt()).max().item<double>();
        double frob = linalg.norm(covariance).item<double>();
        double rel = linalg.norm(s - covariance).item<double>() / frob;
        double trace = covariance.trace().item<double>();
        double mc = Math.Sqrt((trace * trace + frob * frob) / n) / frob;
        var (lambda, v) = linalg.eigh(covariance);
        double directional = ((v.t().matmul(s).matmul(v)).diagonal() / lambda - 1).abs().max().item<double>();
        return new SamplerError(maxZ, rel, mc, directional);
    }

    /// <summary>The Monte Carlo standard error of one directional variance ratio, sqrt(2 / n).</summary>
    public static double DirectionalStandardError(long n) => Math.Sqrt(2.0 / n);
}
