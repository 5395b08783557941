using SoftDiffusion.Corruptions;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>
/// EDM's Heun sampler with the exact denoiser of the 8 x 8 Gaussian data and VE noise from 0.01 to 20 (far larger
/// than the data's spread, so the ODE has real work to do): the final state must follow q_0 once the NFE is large,
/// and be measurably worse at a small NFE. Tolerances as in <see cref="GaussianSamplingTests"/>.
/// </summary>
public sealed class EdmHeunSamplerTests
{
    static readonly GeometricNoiseSchedule WideNoise = new(0.01, 20);

    [Fact]
    public void WithTheExactDenoiserItReproducesTheGaussianAndConvergesWithTheNfe()
    {
        using var harness = new GaussianSamplerHarness(new IdentityCorruption(), WideNoise);
        var fine = harness.Measure(new EdmHeunSampler(), steps: 60, count: GaussianSamplingRuns.Count);
        var coarse = harness.Measure(new EdmHeunSampler(), steps: 4, count: GaussianSamplingRuns.Count);
        Assert.True(fine.MaxMeanZ <= 4.5, $"mean: max |z| = {fine.MaxMeanZ:F2}");
        Assert.True(fine.CovarianceRelError <= 1.5 * fine.CovarianceRelErrorMonteCarlo,
            $"covariance: relative error {fine.CovarianceRelError:F3}, Monte Carlo scale {fine.CovarianceRelErrorMonteCarlo:F3}");
        Assert.True(coarse.CovarianceRelError > 2 * fine.CovarianceRelError,
            $"NFE 4: {coarse.CovarianceRelError:F3}, NFE 60: {fine.CovarianceRelError:F3}");
    }

    [Fact]
    public void TheLevelsGoFromSigmaMaxToSigmaMinSpacedByRho()
    {
        var levels = new EdmHeunSampler().Levels(80, 0.002, 4);
        Assert.Equal(5, levels.Length);
        Assert.Equal(80, levels[0], 1e-12);
        Assert.Equal(0.002, levels[^1], 1e-15);
        // sigma_i^(1/7) is linear in i.
        var roots = levels.Select(s => Math.Pow(s, 1 / 7.0)).ToArray();
        for (int i = 1; i < 4; i++) Assert.Equal(roots[i] - roots[i - 1], roots[i + 1] - roots[i], 1e-12);
    }

    [Fact]
    public void ItCountsTwoEvaluationsPerStepAndRefusesOtherCorruptions()
    {
        using var scope = NewDisposeScope();
        int evaluations = 0;
        var denoiser = new SoftDiffusion.Models.FunctionDenoiser((x, _) => { evaluations++; return x * 0.9; });
        using var noise = new PerSampleNoise(1, 2);
        using var result = new EdmHeunSampler().Sample(denoiser, new IdentityCorruption(), WideNoise, ones(2, 1, 4, 4), 10, noise);
        Assert.Equal(10, evaluations);   // NFE budget 10: 5 Heun steps of 2 evaluations
        var e = Assert.Throws<ArgumentException>(() =>
            new EdmHeunSampler().Sample(denoiser, new MaskCorruption(4, 4), WideNoise, ones(2, 1, 4, 4), 10, noise));
        Assert.Contains("needs C_t = I", e.Message);
    }
}
