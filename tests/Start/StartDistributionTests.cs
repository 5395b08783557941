using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Start;

public sealed class StartDistributionTests
{
    const long C = 2, H = 6, W = 8;
    static readonly GeometricNoiseSchedule Noise = new(0.01, 0.05);

    /// <summary>N images whose DCT coefficients are independent N(mu, s^2) with known mu, s [C, H, W].</summary>
    static (Tensor Images, Tensor Mu, Tensor S) SyntheticData(long n)
    {
        using var g = new Generator(123);
        var mu = randn([C, H, W], dtype: ScalarType.Float64, generator: g) * 0.5;
        var s = rand([C, H, W], dtype: ScalarType.Float64, generator: g) * 0.8 + 0.2;
        var z = randn([n, C, H, W], dtype: ScalarType.Float64, generator: g);
        return (Dct2d.Inverse(mu + s * z), mu, s);
    }

    /// <summary>d_kl(1) = exp(-(w_k^2 + w_l^2) sigma_B^2 / 2) written out with w_k = pi k / H.</summary>
    static Tensor AttenuationAt(double sigmaB)
    {
        var w2 = Enumerable.Range(0, (int)H).SelectMany(k => Enumerable.Range(0, (int)W)
            .Select(l => Math.Pow(Math.PI * k / H, 2) + Math.Pow(Math.PI * l / W, 2))).ToArray();
        return tensor(w2, dtype: ScalarType.Float64).view(H, W).mul(-sigmaB * sigmaB / 2).exp();
    }

    [Fact]
    public void DctGaussianFitRecoversTheMomentsOfTheSurvivingCoefficients()
    {
        using var scope = NewDisposeScope();
        const long n = 4000;
        var (images, mu, s) = SyntheticData(n);
        var blur = new BlurCorruption(new BlurSchedule([0.5, 4.0])); // sigma_B(1) = 4 px: high frequencies die
        using var start = DctGaussianStart.Fit(images, blur, Noise, batchSize: 512);
        var d = AttenuationAt(4.0);
        var survives = d > 1e-4;
        Assert.True(start.Survives.equal(survives).all().item<bool>());
        Assert.InRange(survives.sum().item<long>(), 2, H * W - 2); // both kinds present

        // Mean: standard error d s / sqrt(N); variance: relative standard error sqrt(2 / N) = 2.2%. 5 standard errors.
        var meanError = ((start.Mean - d * mu).abs() / (d * s / Math.Sqrt(n))).masked_select(survives.expand(C, H, W)).max().item<double>();
        var varError = (start.Variance / (d * s).square() - 1).abs().masked_select(survives.expand(C, H, W)).max().item<double>();
        Assert.True(meanError < 5, $"max |mean error| = {meanError} standard errors");
        Assert.True(varError < 5 * Math.Sqrt(2.0 / n), $"max relative variance error {varError}");
        Assert.Equal(0.0, start.Mean.masked_select((~survives).expand(C, H, W)).abs().sum().item<double>());
        Assert.Equal(0.0, start.Variance.masked_select((~survives).expand(C, H, W)).abs().sum().item<double>());
    }

    [Fact]
    public void DctGaussianSamplesReproduceTheFittedMomentsPlusNoise()
    {
        using var scope = NewDisposeScope();
        const int b = 3000;
        var (images, _, _) = SyntheticData(500);
        using var start = DctGaussianStart.Fit(images, new BlurCorruption(new BlurSchedule([0.5, 4.0])), Noise);
        using var noise = new PerSampleNoise(9, b);
        var coefficients = Dct2d.Forward(start.Sample(noise, ScalarType.Float64));
        // DCT(x_1) = c + sigma_1 DCT(eta), DCT(eta) ~ N(0, I) (orthonormal): mean m, variance v + sigma_1^2 everywhere.
        var expectedVar = start.Variance + Noise.Sigma(1.0) * Noise.Sigma(1.0);
        var meanZ = ((coefficients.mean([0]) - start.Mean) / (expectedVar / b).sqrt()).abs().max().item<double>();
        var varError = (coefficients.var([0]) / expectedVar - 1).abs().max().item<double>();
        Assert.True(meanZ < 5, $"max |mean z-score| = {meanZ}");
        Assert.True(varError < 5 * Math.Sqrt(2.0 / b), $"max relative variance error {varError}"); // 5 standard errors
    }

    [Fact]
    public void DctGaussianSampleKDoesNotDependOnTheBatch()
    {
        using var scope = NewDisposeScope();
        var (images, _, _) = SyntheticData(50);
        using var start = DctGaussianStart.Fit(images, new BlurCorruption(new BlurSchedule([0.5, 4.0])), Noise);
        using var all = new PerSampleNoise(3, 4);
        using var last = new PerSampleNoise(3, 1, firstIndex: 3);
        Assert.True(start.Sample(all)[3].equal(start.Sample(last)[0]).all().item<bool>());
    }

    [Fact]
    public void TrainingImageStartIsACorruptedTrainingImagePlusSigma1Noise()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var images = randn([5, 3, 8, 8], generator: g).sign();
        var blur = new BlurCorruption(new BlurSchedule([0.3, 1.0]));
        var start = new TrainingImageStart(images, blur, Noise);
        using var noise = new PerSampleNoise(17, 6);
        var x1 = start.Sample(noise);
        var corrupted = blur.Apply(images, ones(5));
        var sigma1 = Noise.Sigma(1.0);
        for (var k = 0; k < 6; k++)
        {
            // Mean square residual to each C_1 x'_j, in units of sigma_1^2: ~1 for the image drawn, large for the rest.
            var ms = (x1[k].unsqueeze(0) - corrupted).square().mean([1, 2, 3]).div(sigma1 * sigma1).sort().Values;
            Assert.InRange(ms[0].item<float>(), 0.6f, 1.5f); // 192 entries: relative standard error 10%
            Assert.True(ms[1].item<float>() > 50, $"sample {k} is close to two training images");
        }
    }

    [Fact]
    public void IsotropicGaussianStartHasStandardDeviationSigma1()
    {
        using var scope = NewDisposeScope();
        using var noise = new PerSampleNoise(1, 200);
        var x1 = new IsotropicGaussianStart(1, 8, 8, Noise).Sample(noise, ScalarType.Float64);
        Assert.Equal(new long[] { 200, 1, 8, 8 }, x1.shape);
        var sigma1 = Noise.Sigma(1.0);
        Assert.InRange(x1.std().item<double>() / sigma1, 0.97, 1.03);   // 12800 values: relative SE 0.6%
        Assert.InRange(x1.mean().item<double>() / sigma1, -0.05, 0.05); // SE 1/113 = 0.009
    }
}
