using SoftDiffusion.Corruptions;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Tests.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Losses;

public class LossTests
{
    static readonly GeometricNoiseSchedule Schedule = new();

    /// <summary>Random x0 [4, 2, 5, 5], t [4] and eta.</summary>
    static (Tensor x0, Tensor t, Tensor eta) Batch(ulong seed, int count = 4, ScalarType dtype = ScalarType.Float64)
    {
        using var g = new Generator(seed);
        return (rand([count, 2, 5, 5], dtype: dtype, generator: g) * 2 - 1,
                rand([count], dtype: dtype, generator: g) * 0.98 + 0.01,
                randn([count, 2, 5, 5], dtype: dtype, generator: g));
    }

    static CorruptionProcess Process(ICorruption corruption) => new(corruption, Schedule);

    [Theory]
    [InlineData(LossWeighting.InverseSigmaSquared)]
    [InlineData(LossWeighting.Unit)]
    [InlineData(LossWeighting.InverseTwoSigmaFourth)]
    public void LossesArePerSampleAndIndependentOfTheBatch(LossWeighting weighting)
    {
        using var scope = NewDisposeScope();
        var (x0, t, eta) = Batch(1, dtype: ScalarType.Float32);
        var denoiser = TestDenoisers.Nonlinear();
        foreach (ITrainingLoss loss in new ITrainingLoss[] { new SoftScoreMatchingLoss(Process(new MaskCorruption(5, 5)), weighting), new PixelLoss(Process(new MaskCorruption(5, 5)), weighting) })
        {
            var perSample = loss.PerSample(denoiser, x0, t, eta);
            Assert.Equal([4L], perSample.shape);
            var second = loss.PerSample(denoiser, x0[1..2], t[1..2], eta[1..2]);
            Assert.Equal(perSample[1].item<float>(), second[0].item<float>(), 1e-4f);   // float32 sum of 50 terms
        }
    }

    [Fact]
    public void IdentityCorruptionEqualsDenoisingScoreMatching()
    {
        // DSM written independently: x_t = x_0 + sigma eta, target grad log q = -eta / sigma, model score from the
        // denoiser by Tweedie, s = (x0_hat - x_t) / sigma^2. Then w ||x0_hat - x_0||^2 = w sigma^4 ||s - target||^2:
        // 1/(2 sigma^4) -> (1/2)||s - target||^2, 1/sigma^2 -> sigma^2 ||s - target||^2, 1 -> sigma^4 ||s - target||^2.
        using var scope = NewDisposeScope();
        var (x0, t, eta) = Batch(2);
        var denoiser = TestDenoisers.Nonlinear();
        var sigma = Schedule.Sigma(t).view(-1, 1, 1, 1);
        var xT = x0 + sigma * eta;
        var score = (denoiser.Denoise(xT, t) - xT) / sigma.square();
        var dsm = (score + eta / sigma).square().sum([1, 2, 3]);
        var sigma2 = sigma.flatten().square();
        var expected = new Dictionary<LossWeighting, Tensor>
        {
            [LossWeighting.InverseTwoSigmaFourth] = 0.5 * dsm,
            [LossWeighting.InverseSigmaSquared] = sigma2 * dsm,
            [LossWeighting.Unit] = sigma2.square() * dsm,
        };
        foreach (var (weighting, dsmWeighted) in expected)
        {
            var ssm = new SoftScoreMatchingLoss(Process(new IdentityCorruption()), weighting).PerSample(denoiser, x0, t, eta);
            Assert.True(ssm.allclose(dsmWeighted, rtol: 1e-9), $"{weighting}");   // float64; the two differ only by round-off
        }
    }

    [Fact]
    public void PixelAndSoftLossesAgreeForTheIdentity()
    {
        using var scope = NewDisposeScope();
        var (x0, t, eta) = Batch(3);
        var denoiser = TestDenoisers.Nonlinear();
        var ssm = new SoftScoreMatchingLoss(Process(new IdentityCorruption())).PerSample(denoiser, x0, t, eta);
        var pixel = new PixelLoss(Process(new IdentityCorruption())).PerSample(denoiser, x0, t, eta);
        Assert.True(ssm.allclose(pixel, rtol: 1e-12));
    }

    [Fact]
    public void WithASingularMaskTheSoftLossIgnoresTheNullSpaceAndThePixelLossDoesNot()
    {
        // C_t = diag(m_t), m_t in {0, 1}: SSM = w ||m_t (x0_hat - x_0)||^2 counts the kept pixels only; changing x0_hat on
        // the masked pixels (the null space of C_t) leaves SSM unchanged and changes the pixel loss.
        using var scope = NewDisposeScope();
        var (x0, _, eta) = Batch(4);
        var t = tensor(new[] { 0.2, 0.5, 0.7, 0.95 }, dtype: ScalarType.Float64);     // 5 to 23 of the 25 pixels masked
        var mask = new MaskCorruption(5, 5);
        var keep = mask.Mask(t, ScalarType.Float64);                                    // [B, 1, 5, 5]
        var denoiser = TestDenoisers.Nonlinear();
        var nullSpaceShift = new FunctionDenoiser((x, tt) => denoiser.Denoise(x, tt) + 5 * (1 - keep));
        var ssm = new SoftScoreMatchingLoss(Process(mask));
        var pixel = new PixelLoss(Process(mask));

        var sigma2 = Schedule.Sigma(t).square();
        var xT = x0 * keep + Schedule.Sigma(t).view(-1, 1, 1, 1) * eta;
        var keptError = ((denoiser.Denoise(xT, t) - x0) * keep).square().sum([1, 2, 3]) / sigma2;
        Assert.True(ssm.PerSample(denoiser, x0, t, eta).allclose(keptError, rtol: 1e-12));
        Assert.True(ssm.PerSample(nullSpaceShift, x0, t, eta).allclose(keptError, rtol: 1e-12));
        Assert.True((pixel.PerSample(denoiser, x0, t, eta) > keptError).all().item<bool>());
        Assert.True((pixel.PerSample(nullSpaceShift, x0, t, eta) > pixel.PerSample(denoiser, x0, t, eta)).all().item<bool>());
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        using var scope = NewDisposeScope();
        var (x0, t, eta) = Batch(5);
        var loss = new SoftScoreMatchingLoss(Process(new IdentityCorruption()));
        var denoiser = TestDenoisers.Nonlinear();
        var e = Assert.Throws<ArgumentException>(() => loss.PerSample(denoiser, x0, t[..3], eta));
        Assert.Contains("[4]", e.Message);
        Assert.Throws<ArgumentException>(() => loss.PerSample(denoiser, x0, t, eta[.., ..1]));
        Assert.Throws<ArgumentException>(() => loss.PerSample(denoiser, x0.flatten(1), t, eta));
    }
}
