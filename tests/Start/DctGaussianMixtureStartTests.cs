using SoftDiffusion.Corruptions;
using SoftDiffusion.Start;
using static SoftDiffusion.Tests.Start.DctStartFixture;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Start;

public sealed class DctGaussianMixtureStartTests
{
    // Two clusters of images: a quarter with DC coefficient X00 = -3, three quarters with X00 = +3, each with unit spread
    // in X00 and X01 (independent), every other coefficient 0.1 times independent noise.
    static Tensor TwoClusters(int seed)
    {
        using var g = new Generator((ulong)seed);
        var coefficients = randn([N, 1, H, W], dtype: ScalarType.Float64, generator: g) * 0.1;
        var sign = where(arange(N) < N / 4, -1.0, 1.0).to(ScalarType.Float64);
        coefficients[.., 0, 0, 0] = 3 * sign + randn([N], dtype: ScalarType.Float64, generator: g);
        coefficients[.., 0, 0, 1] = randn([N], dtype: ScalarType.Float64, generator: g);
        return Dct2d.Inverse(coefficients);
    }

    [Fact]
    public void OneComponentIsTheFullCovarianceGaussian()
    {
        using var scope = NewDisposeScope();
        var images = TwoClusters(1);
        using var mixture = DctGaussianMixtureStart.Fit(images, Blur, QuietNoise, components: 1);
        using var gaussian = DctFullGaussianStart.Fit(images, Blur, QuietNoise);
        Assert.True(mixture.Indices.eq(gaussian.Indices).all().item<bool>());
        Assert.Equal(1.0, mixture.Weights[0].item<double>(), 12);
        Assert.True(mixture.Means[0].allclose(gaussian.Mean, rtol: 0, atol: 1e-12));
        // Covariances: EM's maximum-likelihood estimate divides by N, the Gaussian's by N - 1; the ridge is 1e-6 of the mean variance.
        var covariance = mixture.CholeskyFactors[0].matmul(mixture.CholeskyFactors[0].T);
        var expected = gaussian.CholeskyFactor.matmul(gaussian.CholeskyFactor.T) * ((N - 1.0) / N);
        double scale = expected.diagonal().abs().max().item<double>();
        Assert.True((covariance - expected).abs().max().item<double>() < 1e-5 * scale);
    }

    [Fact]
    public void TwoComponentsFindTheTwoClustersAndFitHeldOutImagesBetter()
    {
        using var scope = NewDisposeScope();
        var images = TwoClusters(2);
        var heldOut = TwoClusters(3);
        using var one = DctGaussianMixtureStart.Fit(images, Blur, QuietNoise, components: 1);
        using var two = DctGaussianMixtureStart.Fit(images, Blur, QuietNoise, components: 2);
        // The DC coefficient survives the blur unattenuated (d_00 = 1), so the components' means in it are -3 and +3
        // (standard error 1 / sqrt(1000) = 0.03) with weights 1/4 and 3/4.
        int minus = two.Means[0, 0].item<double>() < 0 ? 0 : 1;
        Assert.Equal(-3.0, two.Means[minus, 0].item<double>(), 0.15);
        Assert.Equal(3.0, two.Means[1 - minus, 0].item<double>(), 0.15);
        Assert.Equal(0.25, two.Weights[minus].item<double>(), 0.02);
        // Held-out log-likelihood gain per image, in X00 only (the other coefficients are fitted alike): the mixture's
        // -(H(N(0, 1)) + H(1/4, 3/4)) = -1.981 against one Gaussian of variance 1 + 36 * 3/16 = 7.75, -1/2 ln(2 pi e 7.75)
        // = -2.443: 0.462 nats (the clusters, 6 standard deviations apart, barely overlap).
        double gain = two.MeanLogLikelihood(heldOut, Blur) - one.MeanLogLikelihood(heldOut, Blur);
        Assert.Equal(0.462, gain, 0.05);

        // Draws: a quarter near -3 in X00 (binomial standard error sqrt(3/16 / N) = 0.007), none between the clusters' cores.
        using var noise = new PerSampleNoise(5, (int)N);
        var dc = Dct2d.Forward(two.Sample(noise, ScalarType.Float64))[.., 0, 0, 0];
        Assert.Equal(0.25, (dc < 0).to(ScalarType.Float64).mean().item<double>(), 0.035);
        double between = (dc.abs() < 0.5).to(ScalarType.Float64).mean().item<double>();
        Assert.True(between < 0.02, $"{between} between the clusters");   // a Gaussian fit puts 13% there
    }

    [Fact]
    public void SampleKDependsOnlyOnGeneratorK()
    {
        using var scope = NewDisposeScope();
        using var mixture = DctGaussianMixtureStart.Fit(TwoClusters(4), Blur, QuietNoise, components: 3);
        using var all = new PerSampleNoise(7, 6);
        using var last = new PerSampleNoise(7, 2, firstIndex: 4);
        var a = mixture.Sample(all);
        var b = mixture.Sample(last);
        Assert.True(a.narrow(0, 4, 2).eq(b).all().item<bool>());
    }

    [Fact]
    public void BadArgumentsSayWhatWasExpected()
    {
        using var scope = NewDisposeScope();
        var images = TwoClusters(5).narrow(0, 0, 5);
        Assert.Contains("at least 1 mixture component",
            Assert.Throws<ArgumentOutOfRangeException>(() => DctGaussianMixtureStart.Fit(images, Blur, QuietNoise, components: 0)).Message);
        Assert.Contains("Expected at least 6 images to fit 3 components, received 5",
            Assert.Throws<ArgumentException>(() => DctGaussianMixtureStart.Fit(images, Blur, QuietNoise, components: 3)).Message);
    }

    [Fact]
    public void AMixtureFromItsParametersDrawsWhatTheFittedOneDraws()
    {
        using var scope = NewDisposeScope();
        using var fitted = DctGaussianMixtureStart.Fit(TwoClusters(6), Blur, QuietNoise, components: 2);
        using var stored = DctGaussianMixtureStart.FromParameters(fitted.ImageShape, fitted.Indices, fitted.Weights, fitted.Means, fitted.CholeskyFactors, fitted.Sigma1);
        Assert.Equal(2, stored.Components);
        Assert.True(double.IsNaN(stored.LogLikelihood));
        using var a = new PerSampleNoise(3, 4);
        using var b = new PerSampleNoise(3, 4);
        Assert.True(fitted.Sample(a).eq(stored.Sample(b)).all().item<bool>());

        Assert.Contains("weights [K], means [K, n] and factors [K, n, n]", Assert.Throws<ArgumentException>(() =>
            DctGaussianMixtureStart.FromParameters(fitted.ImageShape, fitted.Indices, fitted.Weights, fitted.Means.narrow(0, 0, 1), fitted.CholeskyFactors, 0.1)).Message);
        Assert.Contains("positive mixture weights summing to 1", Assert.Throws<ArgumentException>(() =>
            DctGaussianMixtureStart.FromParameters(fitted.ImageShape, fitted.Indices, fitted.Weights * 2, fitted.Means, fitted.CholeskyFactors, 0.1)).Message);
    }

    [Theory]
    [InlineData(10_000, 50)]    // the fit K = 50 was chosen on
    [InlineData(60_000, 50)]
    [InlineData(500, 2)]        // the smoke profile
    [InlineData(399, 1)]
    [InlineData(2, 1)]
    public void TheNumberOfComponentsFollowsTheNumberOfImages(long images, int components) =>
        Assert.Equal(components, DctGaussianMixtureStart.ComponentsFor(images));
}
