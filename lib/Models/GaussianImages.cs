using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// A Gaussian law of images N(mu, Sigma) on single-channel H x W images: a smooth mean and a stationary
/// squared-exponential covariance plus a small diagonal (non-diagonal, well conditioned); float64. On it the exact
/// denoiser E[x_0 | x_t] and the marginals of x_t are known in closed form (<see cref="GaussianPosteriorDenoiser"/>):
/// the toy problem of notebook 02 and of the oracle tests of the losses and samplers.
/// </summary>
public static class GaussianImages
{
    /// <summary>mu [1, H, W]: a smooth bump pattern in [-0.3, 0.3].</summary>
    public static Tensor Mean(int h, int w)
    {
        var rows = arange(h, dtype: ScalarType.Float64).view(-1, 1);
        var cols = arange(w, dtype: ScalarType.Float64).view(1, -1);
        return (0.3 * sin(rows * (Math.PI / h)) * cos(cols * (2 * Math.PI / w))).unsqueeze(0);
    }

    /// <summary>Sigma_ij = a^2 exp(-|p_i - p_j|^2 / (2 l^2)) + d delta_ij, pixels in row-major order.</summary>
    public static Tensor Covariance(int h, int w, double amplitude = 0.5, double lengthScale = 1.5, double nugget = 0.01)
    {
        var idx = arange(h * w, dtype: ScalarType.Float64);
        var r = (idx / w).floor();
        var c = idx - r * w;
        var d2 = (r.view(-1, 1) - r.view(1, -1)).square() + (c.view(-1, 1) - c.view(1, -1)).square();
        return amplitude * amplitude * exp(-d2 / (2 * lengthScale * lengthScale)) + nugget * eye(h * w, dtype: ScalarType.Float64);
    }

    /// <summary>count samples of N(mean [n], covariance [n, n]), reshaped to [count, ..imageShape], float64 (e.g. the
    /// data, or x_1 from the exact p_1 = N(<see cref="GaussianPosteriorDenoiser.MarginalMean(double)"/>(1),
    /// <see cref="GaussianPosteriorDenoiser.MarginalCovariance(double)"/>(1))).</summary>
    public static Tensor Sample(Tensor mean, Tensor covariance, long count, long[] imageShape, Generator generator)
    {
        using var scope = NewDisposeScope();
        var l = linalg.cholesky(covariance);
        var z = randn([count, mean.numel()], dtype: ScalarType.Float64, generator: generator);
        return (mean.flatten() + z.matmul(l.t())).reshape([count, .. imageShape]).MoveToOuterDisposeScope();
    }

    /// <summary>Empirical mean [n] and covariance [n, n] (N - 1) of samples [count, ...], float64.</summary>
    public static (Tensor mean, Tensor covariance) Moments(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var x = samples.to(ScalarType.Float64).flatten(1);
        var m = x.mean([0]);
        var centred = x - m;
        var cov = centred.t().matmul(centred) / (x.shape[0] - 1);
        return (m.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope());
    }
}
