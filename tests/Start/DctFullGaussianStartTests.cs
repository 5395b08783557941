using SoftDiffusion.Corruptions;
using SoftDiffusion.Start;
using static SoftDiffusion.Tests.Start.DctStartFixture;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Start;

public sealed class DctFullGaussianStartTests
{
    // Images whose DCT coefficients (0,0) and (0,1) have correlation 0.8: X00 = g1, X01 = 0.8 g1 + 0.6 g2 (unit
    // variances), every other coefficient 0.1 times independent noise.
    static Tensor CorrelatedImages()
    {
        using var g = new Generator(9);
        var coefficients = randn([N, 1, H, W], dtype: ScalarType.Float64, generator: g) * 0.1;
        var g1 = randn([N], dtype: ScalarType.Float64, generator: g);
        var g2 = randn([N], dtype: ScalarType.Float64, generator: g);
        coefficients[.., 0, 0, 0] = g1 + 1.0;
        coefficients[.., 0, 0, 1] = 0.8 * g1 + 0.6 * g2;
        return Dct2d.Inverse(coefficients);
    }

    static double Correlation(Tensor a, Tensor b)
    {
        var (ca, cb) = (a - a.mean(), b - b.mean());
        return ((ca * cb).mean() / (ca.square().mean().sqrt() * cb.square().mean().sqrt())).item<double>();
    }

    [Fact]
    public void SamplesKeepTheCorrelationOfTheSurvivingCoefficientsAndTheirScaledMean()
    {
        using var scope = NewDisposeScope();
        var images = CorrelatedImages();
        using var start = DctFullGaussianStart.Fit(images, Blur, QuietNoise);
        using var diagonal = DctGaussianStart.Fit(images, Blur, QuietNoise);
        using var noise = new PerSampleNoise(4, (int)N);
        var full = Dct2d.Forward(start.Sample(noise, ScalarType.Float64));
        using var noise2 = new PerSampleNoise(4, (int)N);
        var independent = Dct2d.Forward(diagonal.Sample(noise2, ScalarType.Float64));
        var d = Blur.Attenuation(1.0, H, W).to(ScalarType.Float64);

        // Sample correlation of N = 4000 pairs: standard error (1 - 0.8^2) / sqrt(N) = 0.006; allow 5 of them.
        Assert.Equal(0.8, Correlation(full[.., 0, 0, 0], full[.., 0, 0, 1]), 0.03);
        Assert.Equal(0.0, Correlation(independent[.., 0, 0, 0], independent[.., 0, 0, 1]), 0.05);   // what the diagonal start loses
        // Mean of c_00 = d_00 * 1 (d_00 = 1: the DC coefficient is never attenuated), standard error 1 / sqrt(N) = 0.016.
        Assert.Equal(1.0, d[0, 0].item<double>(), 12);
        Assert.Equal(1.0, full[.., 0, 0, 0].mean().item<double>(), 0.08);
        // Standard deviation of c_01 = d_01 * 1.
        Assert.Equal(d[0, 1].item<double>(), full[.., 0, 0, 1].std().item<double>(), 0.05 * d[0, 1].item<double>());
    }

    [Fact]
    public void OnlyCoefficientsAboveTheThresholdAreDrawnTheRestIsNoise()
    {
        using var scope = NewDisposeScope();
        var images = CorrelatedImages();
        using var start = DctFullGaussianStart.Fit(images, Blur, QuietNoise);
        var d = Blur.Attenuation(1.0, H, W);
        Assert.Equal((d > DctGaussianStart.DefaultSurvivalThreshold).sum().item<long>(), start.Dimension);
        using var noise = new PerSampleNoise(2, 2000);
        var coefficients = Dct2d.Forward(start.Sample(noise, ScalarType.Float64));
        var dead = (d <= DctGaussianStart.DefaultSurvivalThreshold).expand(2000, 1, H, W);
        // Dead coefficients carry only sigma_1 eta (orthonormal DCT): standard deviation sigma_1 = 0.001 within 5%.
        Assert.Equal(0.001, coefficients.masked_select(dead).std().item<double>(), 0.00005);
    }

    [Fact]
    public void OneImageIsNotEnoughForACovariance()
    {
        var e = Assert.Throws<ArgumentException>(() => DctFullGaussianStart.Fit(zeros(1, 1, H, W), Blur, QuietNoise));
        Assert.Contains("at least 2 images", e.Message);
    }

    [Fact]
    public void TheChunkedFitEqualsTheMeanAndCovarianceOfAllCoefficientsAtOnce()
    {
        // 4000 images are fitted in chunks; the reference transforms them all at once and uses torch.cov.
        using var scope = NewDisposeScope();
        var images = CorrelatedImages();
        using var start = DctFullGaussianStart.Fit(images, Blur, QuietNoise);
        var d = Blur.Attenuation(1.0, H, W).to(ScalarType.Float64).flatten();
        var all = Dct2d.Forward(images).flatten(1).index_select(1, start.Indices) * d.index_select(0, start.Indices);
        double meanError = (start.Mean - all.mean([0])).abs().max().item<double>();
        var covariance = start.CholeskyFactor.matmul(start.CholeskyFactor.T);
        double covarianceError = (covariance - cov(all.T)).abs().max().item<double>();
        Assert.True(meanError < 1e-12 && covarianceError < 1e-9, $"mean off by {meanError:G3}, covariance by {covarianceError:G3}");
    }
}
