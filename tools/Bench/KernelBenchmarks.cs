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
    const int StepsPerBlock = 5;

    public static void Efficiency(Profile profile, int blocks)
    {
        long forwardMacs = ForwardMultiplyAdds(profile);
        int batch = profile.Training.BatchSize;
        double stepFlops = 2.0 * 3 * forwardMacs;   // 2 FLOP per multiply-add, 3 passes
        Console.WriteLine($"The {profile.Name} U-Net, batch {batch}: {forwardMacs / 1e9:F3} G multiply-adds per forward pass, " +
            $"{stepFlops / 1e9:F2} GFLOP per training step; {get_num_threads()} threads, {blocks} alternating blocks:");

        using var loop = new BareLoop(profile);
        using var a = randn(MatrixSide, MatrixSide, generator: new Generator(1));
        using var b = randn(MatrixSide, MatrixSide, generator: new Generator(2));
        using var image = randn([64, 64, 28, 28], generator: new Generator(3));
        using var kernel = randn([64, 64, 3, 3], generator: new Generator(4));
        using var narrowImage = randn([64, 16, 28, 28], generator: new Generator(5));
        using var narrowKernel = randn([16, 16, 3, 3], generator: new Generator(6));
        double matmulFlops = 2.0 * MatrixSide * MatrixSide * MatrixSide;
        double convFlops = 2.0 * 64 * 64 * 28 * 28 * 64 * 9;
        double narrowFlops = 2.0 * 64 * 16 * 28 * 28 * 16 * 9;
        Action step = () => loop.Run(1);
        Action product = () => { using var c = matmul(a, b); };
        Action convolution = () => { using var c = nn.functional.conv2d(image, kernel, padding: [1, 1]); };
        Action narrowConvolution = () => { using var c = nn.functional.conv2d(narrowImage, narrowKernel, padding: [1, 1]); };
        foreach (var warmup in new[] { step, product, convolution, narrowConvolution }) warmup();

        var (steps, products, convolutions, narrow) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (int block = 1; block <= blocks; block++)
        {
            double s = Seconds(step), p = Seconds(product), c = Seconds(convolution), n = Seconds(narrowConvolution);
            steps.Add(s);
            products.Add(p);
            convolutions.Add(c);
            narrow.Add(n);
            Console.WriteLine($"  block {block}: step {1000 * s,7:F0} ms, {stepFlops / s / 1e9,6:F1} GFLOP/s; matrix product {matmulFlops / p / 1e9,6:F1} GFLOP/s; " +
                $"3x3 convolution 64 channels {convFlops / c / 1e9,6:F1}, 16 channels {narrowFlops / n / 1e9,6:F1} GFLOP/s");
        }
        double stepRate = stepFlops / Median(steps) / 1e9;
        double peak = Math.Max(matmulFlops / Median(products), convFlops / Median(convolutions)) / 1e9;
        Console.WriteLine($"=> training step {1000 * Median(steps):F0} ms ({batch * 1000 / (1000 * Median(steps)):F0} images/s) = {stepRate:F1} GFLOP/s, " +
            $"{100 * stepRate / peak:F0}% of the measured peak {peak:F1} GFLOP/s (the faster of the matrix product and the convolution; medians); " +
            $"the 16-channel convolution alone runs at {narrowFlops / Median(narrow) / 1e9:F1} GFLOP/s ({100 * narrowFlops / Median(narrow) / 1e9 / peak:F0}%)");
    }

    // The median time of StepsPerBlock runs, in seconds per run.
    static double Seconds(Action run)
    {
        var times = new List<double>();
        for (int i = 0; i < StepsPerBlock; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            run();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(times);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
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
