using SoftDiffusion.Corruptions;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Tests.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class DenoiserBandErrorTests
{
    const int Size = 8;
    static readonly GeometricNoiseSchedule Noise = new(0.05, 0.5);
    static readonly BlurCorruption Blur = new(BlurSchedule.LogSpaced(Size));
    static readonly double[] Times = [0.05, 0.5, 1.0];

    [Fact]
    public void MeasuredErrorOfTheWienerDenoiserMatchesItsClosedFormPerBand()
    {
        // Each coefficient's squared error has mean E_k and standard deviation E_k sqrt(2) per image; a band mean over
        // n images is within 5 sqrt(2 / n) max_k E_k of its expectation (independent coefficients make it tighter).
        using var scope = NewDisposeScope();
        const long n = 6_000;
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        var x0 = DctDiagonalGaussian.Sample(mean, variance, n, seed: 7).to(ScalarType.Float32);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        var measured = DenoiserBandError.Measure(wiener, Blur, Noise, x0, Times, seed: 0, batchSize: 1000);
        var expected = DenoiserBandError.Expected(wiener, Times);
        Assert.Equal(n, measured.Images);
        Assert.Equal(0, expected.Images);
        for (int i = 0; i < Times.Length; i++)
        {
            double largest = expected.Error[i].Max();
            for (int b = 0; b < expected.Error[i].Length; b++)
                Assert.True(Math.Abs(measured.Error[i][b] - expected.Error[i][b]) < 5 * Math.Sqrt(2.0 / n) * largest + 1e-6,
                    $"t = {Times[i]}, band {b}: measured {measured.Error[i][b]:G4}, closed form {expected.Error[i][b]:G4}.");
        }
    }

    [Fact]
    public void TheIdentityDenoiserUnderNoBlurHasTheNoiseVarianceInEveryBand()
    {
        // C_t = I and x0_hat = x_t: the error is sigma_t eta, whose every DCT coefficient has variance sigma_t^2.
        using var scope = NewDisposeScope();
        const long n = 2_000;
        var x0 = rand([n, 1, Size, Size]) * 2 - 1;
        var measured = DenoiserBandError.Measure(new FunctionDenoiser((xT, t) => xT.clone()), new IdentityCorruption(), Noise, x0, Times);
        for (int i = 0; i < Times.Length; i++)
        {
            double s2 = Math.Pow(Noise.Sigma(Times[i]), 2);
            Assert.All(measured.Error[i], e => Assert.True(Math.Abs(e - s2) < 5 * Math.Sqrt(2.0 / n) * s2, $"t = {Times[i]}: {e:G4} against sigma^2 = {s2:G4}."));
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameErrorWhateverTheBatchSize()
    {
        // Image k draws its noise from generator seed + k, so batching does not change x_t.
        using var scope = NewDisposeScope();
        var x0 = rand([30, 1, Size, Size]) * 2 - 1;
        var denoiser = new FunctionDenoiser((xT, t) => xT * 0.5);
        var a = DenoiserBandError.Measure(denoiser, Blur, Noise, x0, Times, seed: 3, batchSize: 7);
        var b = DenoiserBandError.Measure(denoiser, Blur, Noise, x0, Times, seed: 3, batchSize: 30);
        for (int i = 0; i < Times.Length; i++)
            Assert.Equal(a.Error[i], b.Error[i], (p, q) => Math.Abs(p - q) <= 1e-6 * Math.Abs(q));
    }

    [Fact]
    public void BadInputGetsAnExceptionSayingWhatWasExpected()
    {
        var denoiser = new FunctionDenoiser((xT, t) => xT.clone());
        using var rank3 = zeros(4, Size, Size);
        var e = Assert.Throws<ArgumentException>(() => DenoiserBandError.Measure(denoiser, Blur, Noise, rank3, Times));
        Assert.Contains("rank 4 [N, C, H, W]", e.Message);
        Assert.Contains("[4, 8, 8]", e.Message);
        using var x0 = zeros(4, 1, Size, Size);
        Assert.Contains("at least one time", Assert.Throws<ArgumentException>(() => DenoiserBandError.Measure(denoiser, Blur, Noise, x0, [])).Message);
        var late = Assert.Throws<ArgumentOutOfRangeException>(() => DenoiserBandError.Measure(denoiser, Blur, Noise, x0, [0.5, 1.5]));
        Assert.Contains("[0, 1]", late.Message);
    }
}
