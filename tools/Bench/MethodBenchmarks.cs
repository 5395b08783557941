using SoftDiffusion.Corruptions;
using SoftDiffusion.Data;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using SoftDiffusion.Selection;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>Issue 3's measurements: C_t, one Momentum step without the network, the level selector on 10k images.</summary>
static class MethodBenchmarks
{
    /// <summary>A denoiser that costs one elementwise op, so a sampler's time is its own arithmetic.</summary>
    sealed class ScaledInput : IDenoiser
    {
        public Tensor Denoise(Tensor xT, Tensor t) => xT * 0.9f;
    }

    public static double Operators(long batch, long channels, long size)
    {
        Console.WriteLine($"Operators on [{batch}, {channels}, {size}, {size}] float32, per-sample t:");
        var generator = new Generator(0);
        var x = randn(new[] { batch, channels, size, size }, generator: generator);
        var t = rand(new[] { batch }, generator: generator);
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(size));
        var mask = new MaskCorruption(size, size);
        var noise = new GeometricNoiseSchedule();
        double blurMs = Timing.MedianMilliseconds(() => blur.Apply(x, t));
        Timing.Report("blur C_t x (DCT heat kernel)", blurMs);
        Timing.Report("mask C_t x (random pixel order)", Timing.MedianMilliseconds(() => mask.Apply(x, t)));
        Timing.Report("forward process x_t = C_t x_0 + sigma_t eta (blur)", Timing.MedianMilliseconds(() => new CorruptionProcess(blur, noise).Sample(x, t, randn_like(x))));
        return blurMs;
    }

    public static double Samplers(long batch, long channels, long size, int steps = 20)
    {
        Console.WriteLine($"Sampler steps on [{batch}, {channels}, {size}, {size}], blur, network replaced by one multiply ({steps} steps, per step):");
        var x1 = randn(new[] { batch, channels, size, size }, generator: new Generator(1));
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(size));
        var noise = new GeometricNoiseSchedule();
        var denoiser = new ScaledInput();
        double denoise = Timing.MedianMilliseconds(() => denoiser.Denoise(x1, ones(batch)));
        double momentum = 0;
        foreach (var (name, sampler) in new (string, ISampler)[] { ("Naive", new NaiveSampler()), ("Momentum", new MomentumSampler()), ("Soft DDIM (nu = 0)", new SoftDdimSampler()) })
        {
            using var perSample = new PerSampleNoise(seed: 0, count: (int)batch);
            double total = Timing.MedianMilliseconds(() => sampler.Sample(denoiser, blur, noise, x1, steps, perSample).Dispose(), repeats: 3, warmup: 1);
            Timing.Report($"{name} step without the network", total / steps - denoise);
            if (sampler is MomentumSampler) momentum = total / steps - denoise;
        }
        return momentum;
    }

    public static void Selector()
    {
        var noise = new GeometricNoiseSchedule();
        var fashion = FashionMnist.Load(FashionMnistSplit.Test);
        var images = fashion.Images(0, 10_000);
        Console.WriteLine("Level selector (256 candidates, 32 levels) on 10,000 images:");
        foreach (var estimator in new[] { DistanceEstimator.CouplingBound, DistanceEstimator.DiagonalFrechet })
            Timing.Report($"Fashion-MNIST test split [10000, 1, 28, 28], {estimator}",
                Timing.MedianMilliseconds(() => new ScheduleSelector(new ScheduleSelectorOptions(Estimator: estimator)).Select(images, noise), repeats: 3, warmup: 1));
        var colour = rand(new long[] { 10_000, 3, 64, 64 }, generator: new Generator(2)) * 2 - 1;
        Timing.Report("uniform noise images [10000, 3, 64, 64], CouplingBound",
            Timing.MedianMilliseconds(() => new ScheduleSelector().Select(colour, noise), repeats: 3, warmup: 1));
    }
}
