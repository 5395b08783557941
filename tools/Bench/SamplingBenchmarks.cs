using System.Diagnostics;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Sampling;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>
/// Sampling throughput of the shipped cpu blur model with the Momentum sampler, per sampler batch size, in alternating
/// blocks: network evaluations per second, the share of the time outside the network (the same number of bare forward
/// passes at the same batch, timed right after), and the time 2,000 samples at NFE 100 take at that rate.
/// </summary>
static class SamplingBenchmarks
{
    const int Steps = 5;

    public static void Throughput(int blocks, int[] batchSizes)
    {
        string model = Path.Combine(ProjectPaths.Data, "models", "fashion-blur-cpu.sdm");
        string scores = Directory.CreateTempSubdirectory("bench-sampling-").FullName;
        try
        {
            using var shipped = ShippedModel.Load(model, scores);
            var sampler = new MomentumSampler();
            Console.WriteLine($"Momentum sampler on {Path.GetFileName(model)} (step {shipped.Step}), {Steps} steps per call, batch sizes " +
                $"{string.Join(", ", batchSizes)} in {blocks} alternating blocks (a first call per size is not timed), {get_num_threads()} threads:");
            foreach (int batch in batchSizes) Time(shipped, sampler, batch);   // warm-up
            var sampling = batchSizes.ToDictionary(b => b, _ => new List<double>());
            var network = batchSizes.ToDictionary(b => b, _ => new List<double>());
            for (int block = 0; block < blocks; block++)
                foreach (int batch in batchSizes)
                {
                    sampling[batch].Add(Time(shipped, sampler, batch));
                    network[batch].Add(TimeNetwork(shipped, batch));
                }
            Console.WriteLine($"  {"batch",6} {"evaluations/s",14} {"outside the network",20} {"2,000 samples at NFE 100",25}");
            foreach (int batch in batchSizes)
            {
                double seconds = sampling[batch].Order().ElementAt(blocks / 2), bare = network[batch].Order().ElementAt(blocks / 2);
                double rate = batch * Steps / seconds;
                Console.WriteLine($"  {batch,6} {rate,14:F0} {100 * (seconds - bare) / seconds,19:F1}% {2000 * 100 / rate / 60,21:F1} min");
            }
        }
        finally
        {
            Directory.Delete(scores, recursive: true);
        }
    }

    static double Time(TrainedModel model, ISampler sampler, int batch)
    {
        var clock = Stopwatch.StartNew();
        using var result = model.Generate(sampler, batch, Steps, seed: 0);
        return clock.Elapsed.TotalSeconds;
    }

    // The network alone, Steps forward passes on a batch of the same shape, without gradients.
    static double TimeNetwork(TrainedModel model, int batch)
    {
        using var noGrad = no_grad();
        using var x = randn(batch, 1, 28, 28);
        using var t = full(batch, 0.5f);
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < Steps; step++)
        {
            using var output = model.Network.forward(x, t);
        }
        return clock.Elapsed.TotalSeconds;
    }
}
