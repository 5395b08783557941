using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>Forward passes of the U-Net, the yardstick for the operators' and samplers' cost.</summary>
static class NetworkBenchmarks
{
    /// <summary>Median time of one forward pass (eval mode, no gradients) of <paramref name="config"/> on [batch, C, size, size].</summary>
    public static double Forward(UNetConfig config, long batch, long size)
    {
        using var network = new UNet(config);
        network.eval();
        var x = randn(new[] { batch, (long)config.ImageChannels, size, size }, generator: new Generator(3));
        var t = rand(new[] { batch }, generator: new Generator(4));
        using var noGrad = no_grad();
        double ms = Timing.MedianMilliseconds(() => network.forward(x, t), repeats: 3, warmup: 1);
        Timing.Report($"U-Net '{Name(config)}' ({network.ParameterCount():N0} params) forward [{batch}, {config.ImageChannels}, {size}, {size}]", ms);
        return ms;
    }

    /// <summary>
    /// The training step (forward + backward + Adam, the arm's batch) of every distinct network of the recipe study, in
    /// <paramref name="blocks"/> alternating blocks of 5 steps, and the steps each would train in the baseline's wall
    /// time: 800 x (baseline's median step / the arm's). These ratios set the budgets of the network arms.
    /// </summary>
    public static void StudyArms(int blocks)
    {
        var arms = RecipeStudy.Arms.Where(a => a.Training.BatchSize == RecipeStudy.Baseline.Training.BatchSize)
            .DistinctBy(a => a.Network).ToList();
        var loops = arms.Select(a => new BareLoop(Profile.Cpu with { Network = a.Network, Training = a.Training })).ToList();
        var steps = arms.Select(_ => new List<double>()).ToList();
        Console.WriteLine($"Training step of each study network (batch {RecipeStudy.Baseline.Training.BatchSize}), {blocks} alternating blocks of 5 steps:");
        for (int block = 1; block <= blocks; block++)
            for (int i = 0; i < arms.Count; i++)
            {
                double ms = Timing.MedianMilliseconds(() => loops[i].Run(1), repeats: 5, warmup: 1);
                steps[i].Add(ms);
                Timing.Report($"block {block}  {arms[i].Name}", ms);
            }
        double baseline = Timing.Median(steps[0]);
        foreach (var (arm, times) in arms.Zip(steps))
        {
            double median = Timing.Median(times);
            Timing.Report($"{arm.Name}: median step", median,
                $"=> {RecipeStudy.BaselineSteps * baseline / median:F0} steps in the baseline's wall time of {RecipeStudy.BaselineSteps} steps");
        }
        foreach (var loop in loops) loop.Dispose();
    }

    static string Name(UNetConfig config) =>
        config == UNetConfig.Cpu(config.ImageChannels) ? "cpu" : config == UNetConfig.Paper(config.ImageChannels) ? "paper" : "custom";
}
