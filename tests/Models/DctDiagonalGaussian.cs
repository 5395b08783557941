using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

/// <summary>
/// Gaussian images with independent DCT coefficients, x_0 = IDCT2(mu + sqrt(v) z): the model under which
/// <see cref="SoftDiffusion.Models.DctWienerDenoiser"/> is the exact posterior mean. (<see cref="SoftDiffusion.Models.GaussianImages"/>
/// does not fit: its squared-exponential covariance is not diagonal in the DCT basis.)
/// </summary>
static class DctDiagonalGaussian
{
    /// <summary>mu [1, H, W] (random, seed 11) and v [1, H, W] decaying with the frequency from 0.5 to about 0.01.</summary>
    public static (Tensor Mean, Tensor Variance) Law(int size)
    {
        using var g = new Generator(11);
        var mean = randn([1, size, size], dtype: ScalarType.Float64, generator: g) * 0.3;
        var k = arange(size, dtype: ScalarType.Float64);
        var radius = (k.square().unsqueeze(1) + k.square().unsqueeze(0)).sqrt();
        var variance = (0.5 * (-radius / 2.0).exp() + 0.01).unsqueeze(0);
        return (mean, variance);
    }

    /// <summary>count images [count, 1, H, W] (float64) drawn from the law.</summary>
    public static Tensor Sample(Tensor mean, Tensor variance, long count, long seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed);
        var z = randn([count, .. mean.shape], dtype: ScalarType.Float64, generator: g);
        return Dct2d.Inverse(mean + variance.sqrt() * z).MoveToOuterDisposeScope();
    }

    /// <summary>The Wiener denoiser of the law's exact moments for <paramref name="corruption"/> and <paramref name="noise"/>.</summary>
    public static SoftDiffusion.Models.DctWienerDenoiser Wiener(Tensor mean, Tensor variance, ICorruption corruption, SoftDiffusion.Schedules.INoiseSchedule noise)
    {
        using var moments = Moments(mean, variance, count: 2);
        return new(moments, corruption, noise);
    }

    /// <summary>The law's exact moments as <see cref="DctMoments"/> (E[X] = mu, E[X^2] = mu^2 + v).</summary>
    public static DctMoments Moments(Tensor mean, Tensor variance, long count) => new(mean, mean.square() + variance, count);
}
