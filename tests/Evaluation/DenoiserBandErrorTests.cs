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
    public void TheIntervalOfASummedErrorCoversTheClosedFormAtItsLevel()
    {
        // The Wiener denoiser of the exact law: its closed-form error summed over bands [1, 5) at each t is the
        // truth; 150 independent measurements of 100 images each must scatter around it as their standard errors
        // say and cover it about 95% of the time (binomial sd 1.8%: allow 89-99%).
        using var scope = NewDisposeScope();
        var (mean, variance) = DctDiagonalGaussian.Law(Size);
        using var wiener = DctDiagonalGaussian.Wiener(mean, variance, Blur, Noise);
        var expected = DenoiserBandError.Expected(wiener, Times);
        const int repeats = 150;
        var z = new List<double>();
        int covered = 0;
        for (int r = 0; r < repeats; r++)
        {
            using var x0 = DctDiagonalGaussian.Sample(mean, variance, 100, seed: 100 + r).to(ScalarType.Float32);
            var measured = DenoiserBandError.Measure(wiener, Blur, Noise, x0, Times, seed: 1000 * r, batchSize: 64);
            for (int i = 0; i < Times.Length; i++)
            {
                var summed = measured.Summed(i, 1, 5);
                double truth = expected.Summed(i, 1, 5).Estimate;
                Assert.Equal(Enumerable.Range(1, 4).Sum(b => DctBandSpectrum.CoefficientCounts(Size, Size)[b] * measured.Error[i][b]), summed.Estimate, 9);
                z.Add((summed.Estimate - truth) / summed.StandardError);
                if (summed.Low <= truth && truth <= summed.High) covered++;
            }
        }
        Assert.Equal(0, expected.Summed(0, 1, 5).StandardError);
        Assert.InRange(Math.Sqrt(z.Sum(v => v * v) / z.Count), 0.85, 1.15);
        Assert.InRange(covered / (double)z.Count, 0.89, 0.99);
    }

    [Fact]
    public void APairedDifferenceCancelsWhatTheTwoDenoisersShare()
    {
        // x0_hat = x_t and x0_hat = 0.9 x_t on the same images and noise: per image their errors are strongly correlated,
        // so the paired difference has a far smaller standard error than either sum; a denoiser against itself gives 0 +- 0.
        using var scope = NewDisposeScope();
        var x0 = rand([400, 1, Size, Size]) * 2 - 1;
        var identity = DenoiserBandError.Measure(new FunctionDenoiser((xT, t) => xT.clone()), new IdentityCorruption(), Noise, x0, Times, seed: 2);
        var shrunk = DenoiserBandError.Measure(new FunctionDenoiser((xT, t) => 0.9 * xT), new IdentityCorruption(), Noise, x0, Times, seed: 2);
        var self = identity.SummedDifference(identity, 2, 0, 6);
        Assert.Equal((0.0, 0.0), (self.Estimate, self.StandardError));
        var difference = shrunk.SummedDifference(identity, 2, 0, 6);
        Assert.Equal(shrunk.Summed(2, 0, 6).Estimate - identity.Summed(2, 0, 6).Estimate, difference.Estimate, 9);
        Assert.True(difference.StandardError < 0.5 * Math.Min(shrunk.Summed(2, 0, 6).StandardError, identity.Summed(2, 0, 6).StandardError),
            $"paired standard error {difference.StandardError:G3} against {shrunk.Summed(2, 0, 6).StandardError:G3} and {identity.Summed(2, 0, 6).StandardError:G3}");
        var otherImages = DenoiserBandError.Measure(new FunctionDenoiser((xT, t) => xT.clone()), new IdentityCorruption(), Noise, x0[..100], Times, seed: 2);
        Assert.Contains("same images and times", Assert.Throws<ArgumentException>(() => identity.SummedDifference(otherImages, 0, 0, 3)).Message);
        using var wiener = DctDiagonalGaussian.Wiener(DctDiagonalGaussian.Law(Size).Mean, DctDiagonalGaussian.Law(Size).Variance, Blur, Noise);
        Assert.Contains("closed form", Assert.Throws<ArgumentException>(() => identity.SummedDifference(DenoiserBandError.Expected(wiener, Times), 0, 0, 3)).Message);
        Assert.Contains("time index in [0, 2]", Assert.Throws<ArgumentOutOfRangeException>(() => identity.Summed(3, 0, 3)).Message);
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
