using System.Diagnostics;
using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>
/// How close the training step comes to the machine's arithmetic peak. The peak is measured here: a 1024^3 matrix
/// product and a 3x3 convolution large enough to keep the cores busy, both in float32. The step's work is counted
/// from the network itself (hooks on every convolution and linear layer, plus the two products of each attention
/// block) as multiply-adds of the forward pass; a training step counts 3x that (forward, gradient of the input,
/// gradient of the weights: the usual convention). For comparison it also times the network's own narrowest
/// convolution, 16 to 16 channels at 28 x 28 on batch 64 (the first level of the cpu U-Net). Steps, matrix product and
/// convolutions run in alternating blocks, so load that changes during the run affects them all alike.
/// </summary>
static class KernelBenchmarks
{
    const int MatrixSide = 1024;
    const int RunsPerBlock = 5;

    public static void Efficiency(Profile profile, int blocks)
    {
        long forwardMacs = ForwardMultiplyAdds(profile);
        int batch = profile.Training.BatchSize;
        double stepFlops = 2.0 * 3 * forwardMacs;   // 2 FLOP per multiply-add, 3 passes
        Console.WriteLine($"The {profile.Name} U-Net, batch {batch}: {forwardMacs / 1e9:F3} G multiply-adds per forward pass, " +
            $"{stepFlops / 1e9:F2} GFLOP per training step; {get_num_threads()} threads, {blocks} alternating blocks:");

        using var scope = NewDisposeScope();
        using var loop = new BareLoop(profile);
        var a = randn(MatrixSide, MatrixSide, generator: new Generator(1));
        var b = randn(MatrixSide, MatrixSide, generator: new Generator(2));
        var kernels = new (string Name, Action Run, double Flops)[]
        {
            ("step", () => loop.Run(1), stepFlops),
            ("matrix product", () => matmul(a, b).Dispose(), 2.0 * MatrixSide * MatrixSide * MatrixSide),
            Convolution(channels: 64, seed: 3),
            Convolution(channels: 16, seed: 5),   // the cpu U-Net's first level
        };
        var seconds = kernels.Select(_ => new List<double>()).ToArray();
        for (int block = 1; block <= blocks; block++)
        {
            for (int k = 0; k < kernels.Length; k++)
                seconds[k].Add(Timing.MedianMilliseconds(kernels[k].Run, repeats: RunsPerBlock, warmup: block == 1 ? 1 : 0) / 1000);
            Console.WriteLine($"  block {block}: step {1000 * seconds[0][^1],7:F0} ms; GFLOP/s " +
                string.Join(", ", kernels.Select((kernel, k) => $"{kernel.Name} {kernel.Flops / seconds[k][^1] / 1e9:F1}")));
        }
        var rates = kernels.Select((kernel, k) => kernel.Flops / Timing.Median(seconds[k]) / 1e9).ToArray();
        double peak = rates[1..3].Max();
        Console.WriteLine($"=> training step {1000 * Timing.Median(seconds[0]):F0} ms ({batch / Timing.Median(seconds[0]):F0} images/s) = {rates[0]:F1} GFLOP/s, " +
            $"{100 * rates[0] / peak:F0}% of the measured peak {peak:F1} GFLOP/s (the faster of the matrix product and the 64-channel convolution; medians); " +
            $"the 16-channel convolution alone runs at {rates[3]:F1} GFLOP/s ({100 * rates[3] / peak:F0}%)");
    }

    // A 3x3 convolution, channels to channels, on [64, channels, 28, 28] (its tensors live in the caller's dispose scope).
    static (string Name, Action Run, double Flops) Convolution(int channels, int seed)
    {
        var image = randn([64, channels, FashionMnist.Size, FashionMnist.Size], generator: new Generator((ulong)seed));
        var kernel = randn([channels, channels, 3, 3], generator: new Generator((ulong)seed + 1));
        return ($"3x3 convolution {channels} channels", () => nn.functional.conv2d(image, kernel, padding: [1, 1]).Dispose(),
            2.0 * 64 * channels * FashionMnist.Size * FashionMnist.Size * channels * 9);
    }

    /// <summary>Multiply-adds of one forward pass of the profile's network on a batch of its shape, counted from the
    /// output shapes of its convolutions and linear layers and the sizes of its attention blocks.</summary>
    public static long ForwardMultiplyAdds(Profile profile)
    {
        using var network = new UNet(profile.Network);
        long total = 0;
        foreach (var (_, module) in network.named_modules())
            switch (module)
            {
                case Conv2d conv:
                    conv.register_forward_hook((m, input, output) =>
                    {
                        var w = conv.weight!.shape;   // [C_out, C_in, k, k]: C_in k k multiply-adds per output value
                        total += output.numel() * w[1] * w[2] * w[3];
                        return output;
                    });
                    break;
                case Linear linear:
                    linear.register_forward_hook((m, input, output) =>
                    {
                        total += output.numel() * linear.weight!.shape[1];
                        return output;
                    });
                    break;
                case AttentionBlock attention:
                    attention.register_forward_hook((m, input, output) =>
                    {
                        long b = input.shape[0], c = input.shape[1], n = input.shape[2] * input.shape[3];
                        total += 2 * b * n * n * c;   // q^T k and the weighted sum of v
                        return output;
                    });
                    break;
            }
        using var noGrad = no_grad();
        using var x = zeros(profile.Training.BatchSize, profile.Network.ImageChannels, FashionMnist.Size, FashionMnist.Size);
        using var t = full(profile.Training.BatchSize, 0.5f);
        using var phi = network.forward(x, t);
        return total;
    }
}
