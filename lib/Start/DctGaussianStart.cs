using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// The default start distribution p_1 for blur (docs/method.md §5, [choice]; the paper leaves p_1 undefined): a Gaussian,
/// diagonal in the DCT basis, fitted to the DCT coefficients of C_1 x_0 that survive (attenuation d_kl(1) above a
/// threshold, 1e-4 by default); the other coefficients are 0. x_1 = IDCT2(c) + sigma_1 eta with c_ckl ~ N(m_ckl, v_ckl).
/// </summary>
public sealed class DctGaussianStart : IStartDistribution, IDisposable
{
    /// <summary>The default survival threshold on d_kl(1).</summary>
    public const double DefaultSurvivalThreshold = 1e-4;

    /// <summary>Mean m of the DCT coefficients of C_1 x_0 [C, H, W] (float64), 0 where they do not survive.</summary>
    public Tensor Mean { get; }

    /// <summary>Variance v of the DCT coefficients of C_1 x_0 [C, H, W] (float64), 0 where they do not survive.</summary>
    public Tensor Variance { get; }

    /// <summary>Which coefficients survive [H, W] (bool).</summary>
    public Tensor Survives { get; }

    /// <summary>sigma_1, the noise added after the IDCT.</summary>
    public double Sigma1 { get; }

    /// <summary>A start distribution from given moments (e.g. saved with a run).</summary>
    /// <param name="mean">m [C, H, W].</param>
    /// <param name="variance">v [C, H, W], non-negative.</param>
    /// <param name="survives">[H, W] bool: coefficients sampled; the rest are 0.</param>
    /// <param name="sigma1">sigma_1 &gt; 0.</param>
    public DctGaussianStart(Tensor mean, Tensor variance, Tensor survives, double sigma1)
    {
        if (mean.dim() != 3 || !variance.shape.SequenceEqual(mean.shape) || !survives.shape.SequenceEqual(mean.shape[1..]))
            throw new ArgumentException($"Expected mean and variance [C, H, W] and survives [H, W], received {CorruptionArguments.Shape(mean)}, {CorruptionArguments.Shape(variance)}, {CorruptionArguments.Shape(survives)}.", nameof(mean));
        if (!(sigma1 > 0))
            throw new ArgumentOutOfRangeException(nameof(sigma1), sigma1, $"Expected sigma_1 > 0, received {sigma1}.");
        using var scope = NewDisposeScope();
        var keep = survives.to(ScalarType.Bool);
        Survives = keep.clone().DetachFromDisposeScope();
        Mean = (mean.to(ScalarType.Float64) * keep).DetachFromDisposeScope();
        Variance = (variance.to(ScalarType.Float64).clamp_min(0) * keep).DetachFromDisposeScope();
        Sigma1 = sigma1;
    }

    /// <summary>
    /// Fits the Gaussian from one pass over the training images: with X^ = DCT2(x_0) and d = d(1),
    /// m = d E[X^], v = d^2 Var[X^] on the surviving coefficients.
    /// </summary>
    /// <param name="images">Training images [N, C, H, W].</param>
    /// <param name="blur">The blur corruption; its attenuation at t = 1 defines C_1.</param>
    /// <param name="noise">The noise schedule; sigma_1 = noise.Sigma(1).</param>
    /// <param name="survivalThreshold">Coefficients with d_kl(1) above it are sampled.</param>
    /// <param name="batchSize">Images per batch of the pass.</param>
    public static DctGaussianStart Fit(Tensor images, BlurCorruption blur, INoiseSchedule noise,
        double survivalThreshold = DefaultSurvivalThreshold, long batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(blur);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        using var moments = DctMoments.Compute(images, batchSize);
        var d = blur.Attenuation(1.0, images.shape[2], images.shape[3]).to(moments.Mean.device);
        return new DctGaussianStart(moments.Mean * d, moments.Variance() * d.square(), d > survivalThreshold, noise.Sigma(1.0));
    }

    /// <inheritdoc/>
    public Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        device ??= CPU;
        var z = noise.Randn(Mean.shape, dtype, device);                        // c = m + sqrt(v) z on surviving coefficients
        var c = Mean.to(dtype, device) + Variance.sqrt().to(dtype, device) * z; // (m and v are 0 elsewhere)
        var eta = noise.Randn(Mean.shape, dtype, device);
        return (Dct2d.Inverse(c) + eta * Sigma1).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Mean.Dispose();
        Variance.Dispose();
        Survives.Dispose();
    }
}
