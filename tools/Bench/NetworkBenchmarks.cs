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

    static string Name(UNetConfig config) =>
        config == UNetConfig.Cpu(config.ImageChannels) ? "cpu" : config == UNetConfig.Paper(config.ImageChannels) ? "paper" : "custom";
}
