using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// A start distribution p_1 for blur that can have several modes (docs/method.md §5, [choice]): a mixture of K Gaussians
/// with full covariances over the DCT coefficients of C_1 x_0 that survive the strongest blur
/// (<see cref="SurvivingDctCoefficients"/>), fitted to training images by expectation-maximisation; the other
/// coefficients are 0; x_1 = IDCT2(c) + sigma_1 eta. One Gaussian (<see cref="DctFullGaussianStart"/>) puts mass between
/// the clusters of the data (a trouser's silhouette and a bag's are far apart, their average is neither); a mixture
/// follows them without copying any training image.
/// </summary>
public sealed class DctGaussianMixtureStart : IStartDistribution, IDisposable
{
    /// <summary>K of <see cref="Experiments.StartKind.GaussianMixture"/>, chosen by the mean log-likelihood of held-out
    /// Fashion-MNIST training images (docs/results.md).</summary>
    public const int DefaultComponents = 50;

    /// <summary>Images per component of <see cref="ComponentsFor"/>: K = 50 was chosen on 10,000 images.</summary>
    public const int ImagesPerComponent = 200;

    /// <summary>EM iterations of <see cref="Fit"/> (it stops earlier when the mean log-likelihood gains less than
    /// <see cref="Tolerance"/>).</summary>
    public const int MaxIterations = 300;

    /// <summary>Gain in the mean log-likelihood per image below which EM stops.</summary>
    public const double Tolerance = 1e-7;

    readonly long[] shape;

    DctGaussianMixtureStart(long[] shape, Tensor indices, Tensor weights, Tensor means, Tensor cholesky, double sigma1, double logLikelihood) =>
        (this.shape, Indices, Weights, Means, CholeskyFactors, Sigma1, LogLikelihood) = (shape, indices, weights, means, cholesky, sigma1, logLikelihood);

    /// <summary>A mixture from stored parameters (a model file), e.g. those of an earlier <see cref="Fit"/>.</summary>
    /// <param name="shape">[C, H, W] of the images it draws.</param>
    /// <param name="indices">Flat indices of the surviving coefficients [n].</param>
    /// <param name="weights">pi_k [K], positive, summing to 1.</param>
    /// <param name="means">m_k [K, n].</param>
    /// <param name="cholesky">Lower Cholesky factors L_k [K, n, n].</param>
    /// <param name="sigma1">sigma_1.</param>
    /// <param name="logLikelihood">The fit's mean log-likelihood per image, if known.</param>
    public static DctGaussianMixtureStart FromParameters(long[] shape, Tensor indices, Tensor weights, Tensor means, Tensor cholesky, double sigma1,
        double logLikelihood = double.NaN)
    {
        long n = indices.shape[0], k = weights.shape[0];
        if (shape.Length != 3 || indices.dim() != 1 || weights.dim() != 1 || k < 1 || !means.shape.SequenceEqual([k, n]) || !cholesky.shape.SequenceEqual([k, n, n]))
            throw new ArgumentException($"Expected a shape [C, H, W], indices [n], weights [K], means [K, n] and factors [K, n, n], got [{string.Join(", ", shape)}], " +
                $"[{string.Join(", ", indices.shape)}], [{string.Join(", ", weights.shape)}], [{string.Join(", ", means.shape)}] and [{string.Join(", ", cholesky.shape)}].");
        using var w = weights.to(ScalarType.Float64, CPU);
        if (!(w.min().item<double>() > 0) || Math.Abs(w.sum().item<double>() - 1) > 1e-9)
            throw new ArgumentException($"Expected positive mixture weights summing to 1, got a minimum of {w.min().item<double>()} and a sum of {w.sum().item<double>()}.", nameof(weights));
        return new DctGaussianMixtureStart((long[])shape.Clone(), indices.to(ScalarType.Int64, CPU).clone(), w.clone(), means.to(ScalarType.Float64, CPU).clone(),
            cholesky.to(ScalarType.Float64, CPU).clone(), sigma1, logLikelihood);
    }

    /// <summary>K for a fit to <paramref name="images"/> images: <see cref="DefaultComponents"/>, fewer when there are
    /// fewer than <see cref="ImagesPerComponent"/> images per component, at least 1 ([choice]: K was chosen on 10,000 images).</summary>
    public static int ComponentsFor(long images) => (int)Math.Clamp(images / ImagesPerComponent, 1, DefaultComponents);

    /// <summary>[C, H, W] of the images it draws.</summary>
    public long[] ImageShape => (long[])shape.Clone();

    /// <summary>Flat indices (into C x H x W) of the surviving coefficients [n] (int64).</summary>
    public Tensor Indices { get; }

    /// <summary>Mixture weights pi_k [K] (float64, summing to 1).</summary>
    public Tensor Weights { get; }

    /// <summary>Component means m_k [K, n] (float64).</summary>
    public Tensor Means { get; }

    /// <summary>Lower Cholesky factors L_k of the component covariances [K, n, n] (float64).</summary>
    public Tensor CholeskyFactors { get; }

    /// <summary>sigma_1, the noise added after the IDCT.</summary>
    public double Sigma1 { get; }

    /// <summary>Mean log-likelihood per training image of the fitted coefficients (nats); NaN for a mixture read from a file.</summary>
    public double LogLikelihood { get; }

    /// <summary>Number of components K.</summary>
    public long Components => Weights.shape[0];

    /// <summary>Fits K Gaussians to the surviving coefficients d X^ (X^ = DCT2(x_0), d = d(1)) by EM, started from K
    /// distinct images chosen by a seeded generator, each component's covariance that of all images at first.</summary>
    /// <param name="images">Training images [N, C, H, W], N at least 2K.</param>
    /// <param name="blur">The blur corruption; its attenuation at t = 1 defines C_1.</param>
    /// <param name="noise">The noise schedule; sigma_1 = noise.Sigma(1).</param>
    /// <param name="components">K, at least 1 (1: the full-covariance Gaussian of <see cref="DctFullGaussianStart"/>).</param>
    /// <param name="seed">Seed of the choice of the starting means.</param>
    /// <param name="survivalThreshold">Coefficients with d_kl(1) above it are sampled.</param>
    public static DctGaussianMixtureStart Fit(Tensor images, BlurCorruption blur, INoiseSchedule noise, int components, long seed = 0,
        double survivalThreshold = DctGaussianStart.DefaultSurvivalThreshold)
    {
        ArgumentNullException.ThrowIfNull(blur);
        ArgumentNullException.ThrowIfNull(noise);
        CorruptionArguments.CheckImages(images, nameof(images));
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "Expected at least 1 mixture component.");
        if (images.shape[0] < 2L * components)
            throw new ArgumentException($"Expected at least {2 * components} images to fit {components} components, received {images.shape[0]}.", nameof(images));
        using var scope = NewDisposeScope();
        using var coefficients = SurvivingDctCoefficients.Of(blur, images.shape[1..], survivalThreshold);
        var x = coefficients.OfAll(images);                                                       // [N, n]
        long count = x.shape[0], n = x.shape[1];
        var centred = x - x.mean([0]);
        var covariance = centred.T.matmul(centred) / (count - 1);
        var ridge = 1e-6 * covariance.diagonal().mean().item<double>() * eye(n, dtype: ScalarType.Float64);   // keeps every component's covariance definite
        var generator = new Generator(unchecked((ulong)seed));
        var means = x.index_select(0, randperm(count, generator: generator).narrow(0, 0, components));
        var cholesky = linalg.cholesky(covariance + ridge).expand(components, n, n).clone();
        var weights = full(components, 1.0 / components, dtype: ScalarType.Float64);
        double previous = double.NegativeInfinity, logLikelihood = double.NegativeInfinity;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            using var step = NewDisposeScope();
            var logJoint = LogDensities(x, means, cholesky) + weights.log();                     // log pi_k N(x_i; m_k, S_k) [N, K]
            var logNormaliser = logJoint.logsumexp(1, keepdim: true);
            logLikelihood = logNormaliser.mean().item<double>();
            var responsibilities = (logJoint - logNormaliser).exp();                              // E-step: r_ik
            var mass = responsibilities.sum([0]) + 1e-12;                                         // N_k
            var newMeans = responsibilities.T.matmul(x) / mass.unsqueeze(1);                      // M-step: m_k = sum_i r_ik x_i / N_k
            var deviations = x.unsqueeze(0) - newMeans.unsqueeze(1);                              // [K, N, n]
            var newCovariances = (deviations * responsibilities.T.unsqueeze(2)).transpose(1, 2).matmul(deviations) / mass.view(-1, 1, 1);
            means = newMeans.MoveToOuterDisposeScope();
            cholesky = linalg.cholesky(newCovariances + ridge).MoveToOuterDisposeScope();
            weights = (mass / mass.sum()).MoveToOuterDisposeScope();                              // pi_k = N_k / N
            if (logLikelihood - previous < Tolerance) break;
            previous = logLikelihood;
        }
        return new DctGaussianMixtureStart(coefficients.ImageShape, coefficients.Indices.clone().DetachFromDisposeScope(),
            weights.DetachFromDisposeScope(), means.DetachFromDisposeScope(), cholesky.DetachFromDisposeScope(), noise.Sigma(1.0), logLikelihood);
    }

    /// <summary>Mean log-likelihood per image of the surviving coefficients of <paramref name="images"/> under this
    /// mixture (nats): e.g. on held-out images, to choose K.</summary>
    /// <param name="images">Images [N, C, H, W] of the shape it was fitted to.</param>
    /// <param name="blur">The blur it was fitted with.</param>
    public double MeanLogLikelihood(Tensor images, BlurCorruption blur)
    {
        using var scope = NewDisposeScope();
        using var coefficients = SurvivingDctCoefficients.Of(blur, images.shape[1..]);
        if (!coefficients.Indices.shape.SequenceEqual(Indices.shape) || !coefficients.Indices.eq(Indices).all().item<bool>())
            throw new ArgumentException("Expected images of the shape and a blur with the surviving coefficients this mixture was fitted to.", nameof(images));
        var x = coefficients.OfAll(images);
        return (LogDensities(x, Means, CholeskyFactors) + Weights.log()).logsumexp(1).mean().item<double>();
    }

    /// <inheritdoc/>
    public Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        var u = noise.Rand([1], ScalarType.Float64).view(-1);                                    // component k of sample i: u_i against the cumulative weights
        var component = searchsorted(Weights.cumsum(0).narrow(0, 0, Components - 1).contiguous(), u, right: true);
        var z = noise.Randn([Indices.shape[0]], ScalarType.Float64, CPU);                        // [B, n]
        var surviving = Means.index_select(0, component) +
            CholeskyFactors.index_select(0, component).matmul(z.unsqueeze(2)).squeeze(2);         // c_S = m_k + L_k z
        return SurvivingDctCoefficients.Images(surviving, Indices, shape, Sigma1, noise, dtype, device ?? CPU).MoveToOuterDisposeScope();
    }

    // log N(x_i; m_k, L_k L_k^T) for every image and component [N, K].
    static Tensor LogDensities(Tensor x, Tensor means, Tensor cholesky)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[1];
        var deviations = (x.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2);                  // [K, n, N]
        var whitened = linalg.solve_triangular(cholesky, deviations, upper: false);              // L_k^-1 (x_i - m_k)
        var logDeterminant = cholesky.diagonal(dim1: 1, dim2: 2).log().sum([1]);                  // log |L_k| = 1/2 log |S_k|
        var logDensity = -0.5 * whitened.square().sum([1]) - logDeterminant.unsqueeze(1) - 0.5 * n * Math.Log(2 * Math.PI);
        return logDensity.T.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Indices.Dispose();
        Weights.Dispose();
        Means.Dispose();
        CholeskyFactors.Dispose();
    }
}
