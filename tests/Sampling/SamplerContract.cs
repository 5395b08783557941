using SoftDiffusion.Corruptions;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>
/// The contract every <see cref="ISampler"/> meets (one thin subclass per sampler): NFE = N on the grid
/// t = 1, 1 - 1/N, ..., 1/N; each step equals the sampler's update formula with the same eta (replayed from the same
/// per-sample seeds); sample k is independent of the batch; x_1 is left alone; bad input fails with a clear message.
/// </summary>
public abstract class SamplerContract
{
    protected static readonly GeometricNoiseSchedule Schedule = new(0.01, 0.1);
    protected static readonly BlurCorruption Blur = new(BlurSchedule.LogSpaced(8));
    const int Batch = 3;

    protected abstract ISampler Create();

    /// <summary>The sampler's update x_{t-dt} as written in docs/method.md §4 (closed form where one is derived).</summary>
    /// <param name="eta">Draws the step's eta ~ N(0, I); call it at most once, and only if the update is stochastic.</param>
    protected abstract Tensor ExpectedNext(ICorruption corruption, SamplerStep step, Func<Tensor> eta);

    static Tensor Start(ulong seed, int count = Batch)
    {
        using var g = new TorchSharp.torch.Generator(seed);
        return randn([count, 1, 8, 8], generator: g) * 0.3;
    }

    [Fact]
    public void EvaluatesTheDenoiserOncePerStepOnTheTimeGrid()
    {
        using var scope = NewDisposeScope();
        var denoiser = TestDenoisers.Nonlinear();
        var steps = new List<SamplerStep>();
        using var noise = new PerSampleNoise(1, Batch);
        using var result = Create().Sample(denoiser, Blur, Schedule, Start(1), 7, noise, steps.Add);
        Assert.Equal(7, denoiser.Evaluations);
        Assert.Equal(Enumerable.Range(0, 7), steps.Select(s => s.Index));
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal((7 - i) / 7.0, steps[i].T, 15);
            Assert.Equal((6 - i) / 7.0, steps[i].TNext, 15);
            Assert.Equal(Schedule.Sigma(steps[i].T), steps[i].Sigma, 15);
            Assert.Equal(Schedule.Sigma(steps[i].TNext), steps[i].SigmaNext, 15);
        }
        Assert.Equal(0.0, steps[^1].TNext);
    }

    [Fact]
    public void EveryStepFollowsTheUpdateFormulaWithTheSameNoise()
    {
        using var scope = NewDisposeScope();
        var x1 = Start(2);
        var trace = new List<(SamplerStep step, Tensor xT, Tensor x0Hat)>();
        using var noise = new PerSampleNoise(5, Batch);
        using var result = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1, 4, noise,
            s => trace.Add((s, s.XT.clone().MoveToOuterDisposeScope(), s.X0Hat.clone().MoveToOuterDisposeScope())));
        using var replay = new PerSampleNoise(5, Batch);
        for (int i = 0; i < trace.Count; i++)
        {
            var (step, xT, x0Hat) = trace[i];
            var expected = ExpectedNext(Blur, step with { XT = xT, X0Hat = x0Hat }, () => replay.Randn([1, 8, 8]));
            var actual = i + 1 < trace.Count ? trace[i + 1].xT : result.X;
            Assert.True(actual.allclose(expected, atol: 1e-5), $"step {i}: max |diff| {(actual - expected).abs().max().item<float>()}");  // float32, values ~1
        }
        Assert.True(result.X0Hat.allclose(trace[^1].x0Hat), "X0Hat is the last denoiser output h(x_dt, dt)");
    }

    [Fact]
    public void SampleKDoesNotDependOnTheBatch()
    {
        using var scope = NewDisposeScope();
        var x1 = Start(3);
        using var noise = new PerSampleNoise(11, Batch);
        using var all = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1, 5, noise);
        using var alone = new PerSampleNoise(11, 1, firstIndex: 2);
        using var single = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1[2..3], 5, alone);
        Assert.True(all.X[2..3].allclose(single.X, atol: 1e-6));   // same arithmetic per sample, float32
    }

    [Fact]
    public void LeavesTheStartUntouched()
    {
        using var scope = NewDisposeScope();
        var x1 = Start(4);
        var copy = x1.clone();
        using var noise = new PerSampleNoise(1, Batch);
        using var result = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1, 3, noise);
        Assert.True(x1.equal(copy).all().item<bool>());
    }

    [Fact]
    public void RejectsBadInputWithTheExpectedAndReceivedValues()
    {
        using var scope = NewDisposeScope();
        var sampler = Create();
        var denoiser = TestDenoisers.Nonlinear();
        using var noise = new PerSampleNoise(1, Batch);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(denoiser, Blur, Schedule, Start(1), 0, noise));
        var rank = Assert.Throws<ArgumentException>(() => sampler.Sample(denoiser, Blur, Schedule, Start(1)[0], 3, noise));
        Assert.Contains("[1, 8, 8]", rank.Message);
        var count = Assert.Throws<ArgumentException>(() => sampler.Sample(denoiser, Blur, Schedule, Start(1, 2), 3, noise));
        Assert.Contains("(2)", count.Message);
        var decreasing = Assert.Throws<ArgumentException>(() => sampler.Sample(denoiser, Blur, new LinearSigma(0.1, -0.05), Start(1), 4, noise));
        Assert.Contains("non-decreasing", decreasing.Message);
        var zero = Assert.Throws<ArgumentException>(() => sampler.Sample(denoiser, Blur, new LinearSigma(0, 0.1), Start(1), 4, noise));
        Assert.Contains("sigma(0) = 0", zero.Message);
        Assert.Equal(0, denoiser.Evaluations);
    }
}

public class NaiveSamplerContract : SamplerContract
{
    protected override ISampler Create() => new NaiveSampler();

    // Algorithm 1: x_{t-dt} = C_{t-dt} x0_hat + sigma_{t-dt} eta.
    protected override Tensor ExpectedNext(ICorruption corruption, SamplerStep s, Func<Tensor> eta) =>
        corruption.Apply(s.X0Hat, full(s.X0Hat.shape[0], s.TNext)) + s.SigmaNext * eta();
}

public class MomentumSamplerContract : SamplerContract
{
    protected override ISampler Create() => new MomentumSampler();

    // The closed form [derived] of Algorithm 2, not its lines:
    // x_{t-dt} = C_{t-dt} x0_hat + (sigma_{t-dt}^2 / sigma_t^2)(x_t - C_t x0_hat) + sqrt(sigma_t^2 - sigma_{t-dt}^2) eta.
    protected override Tensor ExpectedNext(ICorruption corruption, SamplerStep s, Func<Tensor> eta)
    {
        long b = s.X0Hat.shape[0];
        double ratio = s.SigmaNext * s.SigmaNext / (s.Sigma * s.Sigma);
        return corruption.Apply(s.X0Hat, full(b, s.TNext)) + ratio * (s.XT - corruption.Apply(s.X0Hat, full(b, s.T)))
               + Math.Sqrt(s.Sigma * s.Sigma - s.SigmaNext * s.SigmaNext) * eta();
    }
}

/// <summary>The Soft DDIM contract for one nu; eta is drawn only when nu &gt; 0.</summary>
public abstract class SoftDdimSamplerContract(double nu) : SamplerContract
{
    protected override ISampler Create() => new SoftDdimSampler(nu);

    // x_{t-dt} = C_{t-dt} x0_hat + sqrt(sigma_{t-dt}^2 - c^2)(x_t - C_t x0_hat)/sigma_t + c eta, c = nu s' sqrt(1 - s'^2/s^2).
    protected override Tensor ExpectedNext(ICorruption corruption, SamplerStep s, Func<Tensor> eta)
    {
        long b = s.X0Hat.shape[0];
        double c = nu * s.SigmaNext * Math.Sqrt(1 - s.SigmaNext * s.SigmaNext / (s.Sigma * s.Sigma));
        var mean = corruption.Apply(s.X0Hat, full(b, s.TNext))
                   + Math.Sqrt(s.SigmaNext * s.SigmaNext - c * c) / s.Sigma * (s.XT - corruption.Apply(s.X0Hat, full(b, s.T)));
        return nu == 0 ? mean : mean + c * eta();
    }
}

public class DeterministicSoftDdimSamplerContract() : SoftDdimSamplerContract(0)
{
    [Fact]
    public void IsDeterministicWhateverTheNoiseSeed()
    {
        using var scope = NewDisposeScope();
        var x1 = randn(2, 1, 8, 8);
        using var noiseA = new PerSampleNoise(1, 2);
        using var noiseB = new PerSampleNoise(99, 2);
        using var a = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1, 6, noiseA);
        using var b = Create().Sample(TestDenoisers.Nonlinear(), Blur, Schedule, x1, 6, noiseB);
        Assert.True(a.X.equal(b.X).all().item<bool>());
    }
}

public class StochasticSoftDdimSamplerContract() : SoftDdimSamplerContract(0.6)
{
    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void RejectsNuOutsideTheUnitInterval(double nu)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SoftDdimSampler(nu));
        Assert.Contains("[0, 1]", e.Message);
    }
}
