using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

public class DctWienerDenoiserTests
{
    const int Size = 8;
    static readonly GeometricNoiseSchedule Noise = new(0.05, 0.5);
    static readonly BlurCorruption Blur = new(BlurSchedule.LogSpaced(Size));

    // Per-coefficient mean squared error of x0_hat against x0 in the DCT basis [C, H, W].
    static Tensor CoefficientMse(IDenoiser denoiser, Tensor x0, double t, long seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed);
        var tt = full(x0.shape[0], t, dtype: ScalarType.Float64);
        var eta = randn(x0.shape, dtype: ScalarType.Float64, generator: g);
        var xT = new CorruptionProcess(Blur, Noise).Sample(x0, tt, eta);
        return Dct2d.Forward(denoiser.Denoise(xT, tt) - x0).square().mean([0]).MoveToOuterDisposeScope();
    }

    [Fact]
    public void CoefficientErrorMatchesMonteCarloOnDctDiagonalGaussianData()
    {
        // Under x_0 = IDCT(mu + sqrt(v) z) the error of coefficient k is Gaussian with variance E_k = v sigma^2 / (c^2 v + sigma^2),
        // so its mean square over n images has standard deviation E_k sqrt(2 / n): allow 5 of them.
        using var scope = NewDisposeScope();
        const long n = 20_000;
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        var x0 = DctDiagonalGaussian.Sample(mean, variance, n, seed: 1);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        foreach (double t in new[] { 0.1, 0.5, 0.9 })
        {
            var expected = wiener.CoefficientError(t);
            var measured = CoefficientMse(wiener, x0, t, seed: 2);
            var deviation = ((measured - expected).abs() / (expected * Math.Sqrt(2.0 / n))).max().item<double>();
            Assert.True(deviation < 5, $"t = {t}: the largest deviation is {deviation:F2} standard errors of the Monte-Carlo estimate.");
        }
    }

    [Fact]
    public void CoefficientErrorIsTheVarianceWhereTheBlurRemovesTheCoefficientAndTheNoiseWhereItKeepsIt()
    {
        // c -> 0: v sigma^2 / sigma^2 = v; c = 1 and v >> sigma^2: about sigma^2.
        using var scope = NewDisposeScope();
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        var atOne = wiener.CoefficientError(1.0);
        double highest = atOne[0, Size - 1, Size - 1].item<double>(), v = variance[0, Size - 1, Size - 1].item<double>();
        Assert.Equal(v, highest, v * 1e-6);
        using var identity = DctDiagonalGaussian.Wiener(mean, variance, new IdentityCorruption(), Noise);
        var s2 = Math.Pow(Noise.Sigma(0.0), 2);
        var dc = identity.CoefficientError(0.0)[0, 0, 0].item<double>();
        double v0 = variance[0, 0, 0].item<double>();
        Assert.Equal(v0 * s2 / (v0 + s2), dc, 1e-15);
    }

    [Fact]
    public void WienerErrorIsBelowTheIdentityAndThePseudoInverse()
    {
        // The Wiener gain minimises each coefficient's error among linear gains: x0_hat = x_t (identity) and the
        // truncated inverse (1/c where c > 0.05, else 0) must both do worse on the data it is fitted to.
        using var scope = NewDisposeScope();
        const long n = 4_000;
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        var x0 = DctDiagonalGaussian.Sample(mean, variance, n, seed: 3);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        var identity = new FunctionDenoiser((xT, t) => xT.clone());
        var pseudoInverse = new FunctionDenoiser((xT, t) =>
        {
            var c = wiener.Gain(t).unsqueeze(1);
            var inverse = where(c > 0.05, 1 / c, zeros_like(c));
            return Dct2d.Inverse(inverse * Dct2d.Forward(xT));
        });
        foreach (double t in new[] { 0.3, 0.6, 0.9 })
        {
            double wienerError = CoefficientMse(wiener, x0, t, seed: 4).sum().item<double>();
            double identityError = CoefficientMse(identity, x0, t, seed: 4).sum().item<double>();
            double inverseError = CoefficientMse(pseudoInverse, x0, t, seed: 4).sum().item<double>();
            Assert.True(wienerError < identityError && wienerError < inverseError,
                $"t = {t}: Wiener {wienerError:G4}, identity {identityError:G4}, pseudo-inverse {inverseError:G4}.");
        }
    }

    [Fact]
    public void RefusesACorruptionThatIsNotDiagonalInTheDctBasis()
    {
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        using var moments = DctDiagonalGaussian.Moments(mean, variance, 10);
        var e = Assert.Throws<ArgumentException>(() => new DctWienerDenoiser(moments, new MaskCorruption(Size, Size), Noise));
        Assert.Contains("BlurCorruption or IdentityCorruption", e.Message);
        Assert.Contains("MaskCorruption", e.Message);
    }

    [Fact]
    public void DenoiseRefusesImagesOfAnotherShapeSayingWhatItExpected()
    {
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        using var wrong = zeros(2, 1, 28, 28);
        using var t = full(2, 0.5);
        var e = Assert.Throws<ArgumentException>(() => wiener.Denoise(wrong, t));
        Assert.Contains("[B, 1, 8, 8]", e.Message);
        Assert.Contains("[2, 1, 28, 28]", e.Message);
        using var right = zeros(2, 1, Size, Size);
        using var badT = full(3, 0.5);
        var eT = Assert.Throws<ArgumentException>(() => wiener.Denoise(right, badT));
        Assert.Contains("[2]", eT.Message);
    }
}
