using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// A start distribution p_1 for blur with correlations (docs/method.md §5, [choice]; the paper leaves p_1 undefined): a
/// Gaussian with full covariance over the DCT coefficients of C_1 x_0 that survive (attenuation d_kl(1) above a
/// threshold), fitted to training images; the other coefficients are 0; x_1 = IDCT2(c) + sigma_1 eta.
/// <see cref="DctGaussianStart"/> draws the surviving coefficients independently, which mixes, say, the width of a
/// trouser with the height of a bag; the full covariance keeps such pairs together (the n surviving coefficients are
/// few: 13 at 28 x 28 with the default blur, so the n x n covariance is cheap).
/// </summary>
public sealed class DctFullGaussianStart : IStartDistribution, IDisposable
{
    readonly long[] shape;

    /// <summary>Flat indices (into C x H x W) of the surviving coefficients [n] (int64).</summary>
    public Tensor Indices { get; }

    /// <summary>Mean of the surviving coefficients of C_1 x_0 [n] (float64).</summary>
    public Tensor Mean { get; }

    /// <summary>Lower Cholesky factor L of their covariance, L L^T = Sigma [n, n] (float64).</summary>
    public Tensor CholeskyFactor { get; }

    /// <summary>sigma_1, the noise added after the IDCT.</summary>
    public double Sigma1 { get; }

    /// <summary>Number of surviving coefficients n.</summary>
    public long Dimension => Indices.shape[0];

    DctFullGaussianStart(long[] shape, Tensor indices, Tensor mean, Tensor cholesky, double sigma1) =>
        (this.shape, Indices, Mean, CholeskyFactor, Sigma1) = (shape, indices, mean, cholesky, sigma1);

    /// <summary>The distribution with given parameters (e.g. as saved with a trained model); the tensors are copied.</summary>
    /// <param name="shape">[C, H, W] of the images.</param>
    /// <param name="indices">Flat indices of the surviving coefficients [n] (int64).</param>
    /// <param name="mean">Their mean [n].</param>
    /// <param name="cholesky">Lower Cholesky factor of their covariance [n, n].</param>
    /// <param name="sigma1">sigma_1.</param>
    public static DctFullGaussianStart FromParameters(long[] shape, Tensor indices, Tensor mean, Tensor cholesky, double sigma1)
    {
        long n = indices.shape[0];
        if (shape.Length != 3 || indices.dim() != 1 || !mean.shape.SequenceEqual([n]) || !cholesky.shape.SequenceEqual([n, n]))
            throw new ArgumentException($"Expected a shape [C, H, W], indices [n], a mean [n] and a factor [n, n], got [{string.Join(", ", shape)}], " +
                $"[{string.Join(", ", indices.shape)}], [{string.Join(", ", mean.shape)}] and [{string.Join(", ", cholesky.shape)}].");
        return new DctFullGaussianStart(shape, indices.to(ScalarType.Int64, CPU).clone(), mean.to(ScalarType.Float64, CPU).clone(),
            cholesky.to(ScalarType.Float64, CPU).clone(), sigma1);
    }

    /// <summary>[C, H, W] of the images it draws.</summary>
    public long[] ImageShape => (long[])shape.Clone();

    /// <summary>Fits mean and covariance of the surviving coefficients d X^ (X^ = DCT2(x_0), d = d(1)) in one pass.</summary>
    /// <param name="images">Training images [N, C, H, W], N &gt; 1.</param>
    /// <param name="blur">The blur corruption; its attenuation at t = 1 defines C_1.</param>
    /// <param name="noise">The noise schedule; sigma_1 = noise.Sigma(1).</param>
    /// <param name="survivalThreshold">Coefficients with d_kl(1) above it are sampled.</param>
    public static DctFullGaussianStart Fit(Tensor images, BlurCorruption blur, INoiseSchedule noise,
        double survivalThreshold = DctGaussianStart.DefaultSurvivalThreshold)
    {
        ArgumentNullException.ThrowIfNull(blur);
        ArgumentNullException.ThrowIfNull(noise);
        CorruptionArguments.CheckImages(images, nameof(images));
        if (images.shape[0] < 2)
            throw new ArgumentException($"Expected at least 2 images to fit a covariance, received {images.shape[0]}.", nameof(images));
        using var scope = NewDisposeScope();
        using var coefficients = SurvivingDctCoefficients.Of(blur, images.shape[1..], survivalThreshold);
        var x = coefficients.OfAll(images);                                                       // [N, n], a chunk of images at a time
        long n = coefficients.Dimension, count = images.shape[0];
        var mean = x.mean([0]);
        var centred = x - mean;                                                                   // centred before the product, for accuracy
        var scatter = centred.T.matmul(centred);
        var covariance = scatter / (count - 1);
        // A small ridge keeps the factorisation defined when N is not much larger than n or coefficients are collinear.
        double ridge = 1e-10 * Math.Max(1e-12, covariance.diagonal().mean().item<double>());
        var cholesky = linalg.cholesky(covariance + ridge * eye(n, dtype: ScalarType.Float64, device: covariance.device));
        return new DctFullGaussianStart(coefficients.ImageShape, coefficients.Indices.clone().DetachFromDisposeScope(), mean.DetachFromDisposeScope(),
            cholesky.DetachFromDisposeScope(), noise.Sigma(1.0));
    }

    /// <inheritdoc/>
    public Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        device ??= CPU;
        var z = noise.Randn([Dimension], ScalarType.Float64, CPU);                             // [B, n]
        var surviving = Mean + z.matmul(CholeskyFactor.T);                                       // c_S = m + L z
        return SurvivingDctCoefficients.Images(surviving, Indices, shape, Sigma1, noise, dtype, device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Indices.Dispose();
        Mean.Dispose();
        CholeskyFactor.Dispose();
    }
}
