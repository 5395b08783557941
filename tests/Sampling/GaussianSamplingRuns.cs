using SoftDiffusion.Corruptions;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>The corruptions of the Gaussian sampler tests on 8 x 8 images.</summary>
public enum TestCorruption { Identity, Blur, Mask }

/// <summary>The samplers of the Gaussian sampler tests.</summary>
public enum TestSampler { Naive, Momentum, SoftDdim, StochasticSoftDdim }

/// <summary>
/// Shared, memoised runs of the samplers with the exact Gaussian denoiser (xunit class fixture), so a run used by two
/// tests is computed once. Fixed seeds; <see cref="Count"/> samples per run; default noise sigma_t from 0.01 to 0.05.
/// </summary>
public sealed class GaussianSamplingRuns : IDisposable
{
    public const int Count = 1500;
    readonly Dictionary<TestCorruption, GaussianSamplerHarness> harnesses = new();
    readonly Dictionary<(TestCorruption, TestSampler, int), SamplerError> errors = new();

    internal SamplerError Error(TestCorruption corruption, TestSampler sampler, int steps)
    {
        if (!errors.TryGetValue((corruption, sampler, steps), out var error))
            errors[(corruption, sampler, steps)] = error = Harness(corruption).Measure(Create(sampler), steps, Count);
        return error;
    }

    GaussianSamplerHarness Harness(TestCorruption kind)
    {
        if (!harnesses.TryGetValue(kind, out var harness))
            harnesses[kind] = harness = new GaussianSamplerHarness(Create(kind), new GeometricNoiseSchedule());
        return harness;
    }

    static ICorruption Create(TestCorruption kind) => kind switch
    {
        TestCorruption.Identity => new IdentityCorruption(),
        TestCorruption.Blur => new BlurCorruption(BlurSchedule.LogSpaced(GaussianSamplerHarness.Size)),   // sigma_B 0.01 .. 2.875 px
        _ => new MaskCorruption(GaussianSamplerHarness.Size, GaussianSamplerHarness.Size),                  // rho(t) = t, random pixel order
    };

    static ISampler Create(TestSampler kind) => kind switch
    {
        TestSampler.Naive => new NaiveSampler(),
        TestSampler.Momentum => new MomentumSampler(),
        TestSampler.SoftDdim => new SoftDdimSampler(),
        _ => new SoftDdimSampler(nu: 1),
    };

    public void Dispose()
    {
        foreach (var harness in harnesses.Values) harness.Dispose();
    }
}
