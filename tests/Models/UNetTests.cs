using SoftDiffusion.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

public sealed class UNetTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 28, 28)]
    [InlineData(3, 28, 28)]
    [InlineData(1, 32, 32)]
    [InlineData(3, 32, 32)]
    [InlineData(3, 64, 64)]
    [InlineData(1, 16, 24)]
    public void OutputHasTheInputShapeAndIsZeroAtInitialisation(int channels, int height, int width)
    {
        using var net = new UNet(UNetConfig.Tiny(channels));
        using var g = new Generator(1);
        using var x = randn([2, channels, height, width], generator: g);
        using var t = tensor(new[] { 0.1f, 0.9f });

        using var phi = net.forward(x, t);

        Assert.Equal(x.shape, phi.shape);
        // The output conv starts at zero weight and bias, so phi is exactly 0 and x0_hat = x_t.
        Assert.Equal(0, phi.abs().max().item<float>());
    }

    [Fact]
    public void GroupNormLayersStartAsTheIdentityAffineMap()
    {
        // TorchSharp 0.107's GroupNorm leaves weight and bias uninitialised (NaN was seen); PyTorch starts at 1 and 0.
        using var net = new UNet(UNetConfig.Tiny(3));
        var norms = net.named_parameters().Where(np => np.name.Contains("norm", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(norms);
        foreach (var (name, p) in norms)
        {
            double expected = name.EndsWith("weight") ? 1 : 0;
            Assert.True(p.eq(expected).all().item<bool>(), $"{name} should start at {expected}");
        }
    }

    [Fact]
    public void ForwardHooksSeeEveryLayerOnce()
    {
        // The network calls its layers through call(), so hooks fire (tools/Bench counts multiply-adds with them).
        using var net = new UNet(UNetConfig.Tiny(1));
        var layers = net.named_modules().Select(m => m.module).Where(m => m is TorchSharp.Modules.Conv2d or TorchSharp.Modules.Linear
            or TorchSharp.Modules.GroupNorm or AttentionBlock or ResidualBlock).ToList();
        var calls = new Dictionary<nn.Module, int>();
        foreach (var layer in layers)
            switch (layer)
            {
                case nn.Module<Tensor, Tensor> unary:
                    unary.register_forward_hook((m, input, output) => { calls[m] = calls.GetValueOrDefault(m) + 1; return output; });
                    break;
                case nn.Module<Tensor, Tensor, Tensor> binary:
                    binary.register_forward_hook((m, x, embedding, output) => { calls[m] = calls.GetValueOrDefault(m) + 1; return output; });
                    break;
            }
        using var x = randn([2, 1, 8, 8]);
        using var phi = net.forward(x, tensor(new[] { 0.2f, 0.7f }));

        Assert.Contains(layers, l => l is AttentionBlock);
        Assert.All(layers, layer => Assert.Equal(1, calls.GetValueOrDefault(layer)));
    }

    [Fact]
    public void OutputDependsOnTimeOnceTheOutputLayerIsNonZero()
    {
        using var net = new UNet(UNetConfig.Tiny(1) with { TimeEmbedding = TimeEmbeddingKind.Sinusoidal });
        var outputLayer = net.named_parameters().Where(np => np.name.StartsWith("outputConv")).ToList();
        Assert.Equal(2, outputLayer.Count);   // weight and bias
        using var g = new Generator(2);
        using (no_grad())
            foreach (var (_, p) in outputLayer) p.copy_(randn(p.shape, generator: g));
        using var x = randn([1, 1, 8, 8], generator: g).expand(2, 1, 8, 8);
        using var phi = net.forward(x, tensor(new[] { 0.2f, 0.7f }));

        // Same input image, different t: the time embedding must change the output.
        Assert.True((phi[0] - phi[1]).abs().max().item<float>() > 1e-6);
    }

    [Fact]
    public void TimeFeaturesSetTheWidthOfTheFirstTimeLayerAndAppearInTheFingerprintOnlyWhenSet()
    {
        var config = UNetConfig.Tiny(1) with { TimeEmbedding = TimeEmbeddingKind.Sinusoidal, TimeFeatures = 64 };
        using var wide = new UNet(config);
        using var narrow = new UNet(UNetConfig.Tiny(1));
        Assert.Equal((64 - 8) * 32, wide.ParameterCount() - narrow.ParameterCount());   // Linear(64, 32) instead of Linear(8, 32)
        using var phi = wide.forward(zeros(2, 1, 8, 8), tensor(new[] { 0.2f, 0.7f }));
        Assert.Equal([2L, 1, 8, 8], phi.shape);
        Assert.Contains(("time features", "64"), config.Describe());
        Assert.DoesNotContain(UNetConfig.Tiny(1).Describe(), p => p.Name == "time features");   // earlier checkpoints still load
        var e = Assert.Throws<ArgumentException>((config with { TimeFeatures = 7 }).Validate);
        Assert.Contains("even number of time features", e.Message);
    }

    [Fact]
    public void TinyParameterCountMatchesALayerByLayerCount()
    {
        // Independent count of UNetConfig.Tiny(c): base 8, multipliers (1, 2), 1 block per level, attention at
        // level 1, time embedding 8 Fourier features -> 32.
        const int c = 3, e = 32;
        static long Conv(long i, long o, long k) => i * o * k * k + o;
        static long Dense(long i, long o) => i * o + o;
        static long Norm(long ch) => 2 * ch;
        static long Res(long i, long o) => Norm(i) + Conv(i, o, 3) + Dense(e, o) + Norm(o) + Conv(o, o, 3) + (i == o ? 0 : Conv(i, o, 1));
        static long Attn(long ch) => Norm(ch) + Conv(ch, 3 * ch, 1) + Conv(ch, ch, 1);
        long time = Dense(8, e) + Dense(e, e);
        long down = Conv(c, 8, 3) + Res(8, 8) + Conv(8, 8, 3) + Res(8, 16) + Attn(16);       // skips 8, 8, 8, 16
        long middle = Res(16, 16) + Attn(16) + Res(16, 16);
        long up = Res(16 + 16, 16) + Attn(16) + Res(16 + 8, 16) + Attn(16) + Conv(16, 16, 3)  // level 1, then upsample
                + Res(16 + 8, 8) + Res(8 + 8, 8);                                              // level 0
        long head = Norm(8) + Conv(8, c, 3);

        using var net = new UNet(UNetConfig.Tiny(c));

        Assert.Equal(time + down + middle + up + head, net.ParameterCount());
    }

    [Fact]
    public void ParameterCountsOfTheNamedConfigurations()
    {
        foreach (var (name, config) in new[] { ("Tiny(1)", UNetConfig.Tiny(1)), ("Cpu(1)", UNetConfig.Cpu(1)), ("Paper(3)", UNetConfig.Paper(3)) })
        {
            using var first = new UNet(config);
            using var second = new UNet(config);
            output.WriteLine($"{name}: {first.ParameterCount():N0} parameters");
            // Stable: the count depends on the configuration only.
            Assert.Equal(first.ParameterCount(), second.ParameterCount());
        }
        // The counts the README and the notebooks print; a change of the configurations must show up here.
        using var tiny = new UNet(UNetConfig.Tiny(1));
        Assert.Equal(44_969, tiny.ParameterCount());
        using var cpu = new UNet(UNetConfig.Cpu());
        Assert.Equal(989_217 + (64 - 16) * 64, cpu.ParameterCount());   // the pre-study network with 64 instead of 16 time features
        using var paper = new UNet(UNetConfig.Paper(3));
        Assert.Equal(58_687_747, paper.ParameterCount());
    }

    [Theory]
    [InlineData(64, 64, 4)]   // CelebA-64: the paper's 4 levels
    [InlineData(32, 32, 4)]
    [InlineData(28, 28, 3)]   // Fashion-MNIST: 28, 14, 7
    [InlineData(28, 32, 3)]
    [InlineData(30, 30, 2)]
    [InlineData(27, 27, 1)]
    public void FittingToAnImageSizeDropsTheLevelsItCannotHalve(int height, int width, int levels)
    {
        var fitted = UNetConfig.Paper(1).FittedTo(height, width);
        Assert.Equal(levels, fitted.Levels);
        Assert.Equal(UNetConfig.Paper(1).ChannelMultipliers[..levels], fitted.ChannelMultipliers);
        Assert.Equal(0, height % fitted.SizeDivisor + width % fitted.SizeDivisor);
        Assert.All(fitted.AttentionLevels, l => Assert.True(l < levels));
        Assert.Equal(levels > 2 ? [2] : Array.Empty<int>(), fitted.AttentionLevels);
        fitted.Validate();
        var paper = UNetConfig.Paper(1);
        if (levels == 4) Assert.Same(paper, paper.FittedTo(height, width));   // sizes that fit change nothing
        Assert.Throws<ArgumentException>(() => UNetConfig.Paper(1).FittedTo(0, 28));
    }

    [Fact]
    public void AFittedPaperNetworkRunsOnFashionMnistSizedImages()
    {
        var config = UNetConfig.Paper(1).FittedTo(28, 28) with { BaseChannels = 8, BlocksPerLevel = 1 };
        using var network = new UNet(config);
        using var x = randn(2, 1, 28, 28);
        using var t = tensor(new float[] { 0.3f, 0.7f });
        using var y = network.forward(x, t);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, y.shape);
    }

    [Fact]
    public void ConfigurationsCompareByValue()
    {
        Assert.Equal(UNetConfig.Cpu(), UNetConfig.Cpu());   // separate arrays, same contents
        Assert.NotEqual(UNetConfig.Cpu(), UNetConfig.Cpu() with { ChannelMultipliers = [1, 2, 2] });
        Assert.Equal(UNetConfig.Cpu().GetHashCode(), UNetConfig.Cpu().GetHashCode());
    }

    [Fact]
    public void RejectsInputsOfTheWrongShape()
    {
        using var net = new UNet(UNetConfig.Cpu(1));   // 3 levels: H, W multiples of 4
        using var t = tensor(new[] { 0.5f });

        var channels = Assert.Throws<ArgumentException>(() => net.forward(zeros(1, 3, 28, 28), t));
        Assert.Contains("[B, 1, H, W]", channels.Message);
        var size = Assert.Throws<ArgumentException>(() => net.forward(zeros(1, 1, 30, 28), t));
        Assert.Contains("divisible by 4", size.Message);
        var times = Assert.Throws<ArgumentException>(() => net.forward(zeros(1, 1, 28, 28), zeros(2)));
        Assert.Contains("[1]", times.Message);
    }

    [Fact]
    public void PyTorchExportAndImportRoundTripTheWeights()
    {
        var config = UNetConfig.Tiny(3) with { TimeEmbedding = TimeEmbeddingKind.GaussianFourier };
        using var source = new UNet(config);
        using (no_grad())
            foreach (var p in source.parameters()) p.add_(0.5);   // differ from any fresh initialisation
        using var target = new UNet(config);
        string path = Path.Combine(Path.GetTempPath(), $"unet-{Guid.NewGuid():N}.pt");
        try
        {
            source.ExportPyTorch(path);
            target.ImportPyTorch(path);
        }
        finally { File.Delete(path); }

        var expected = source.state_dict();
        var actual = target.state_dict();
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (key, value) in expected)
            Assert.True(value.equal(actual[key]).all().item<bool>(), $"{key} differs after the round trip");
    }
}
