using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// The network phi_theta(x_t, t) of Soft Diffusion's residual parametrisation x0_hat = phi + x_t (Section 3.2),
/// an NCSN++/DDPM++-style U-Net (Song et al. 2021): residual blocks with GroupNorm and SiLU conditioned on a time
/// embedding, self-attention at chosen levels, skip connections from every down-path output to the up path.
/// The output conv starts at zero, so phi = 0 and x0_hat = x_t before training.
/// </summary>
public sealed class UNet : Module<Tensor, Tensor, Tensor>
{
    readonly TimeEmbedding timeEmbedding;
    readonly Conv2d inputConv;
    readonly ModuleList<ResidualBlock> downBlocks;
    readonly ModuleList<Module<Tensor, Tensor>> downAttention;
    readonly ModuleList<Downsample> downsamplers;
    readonly ResidualBlock middleBlock0;
    readonly AttentionBlock middleAttention;
    readonly ResidualBlock middleBlock1;
    readonly ModuleList<ResidualBlock> upBlocks;
    readonly ModuleList<Module<Tensor, Tensor>> upAttention;
    readonly ModuleList<Upsample> upsamplers;
    readonly GroupNorm outputNorm;
    readonly Conv2d outputConv;

    /// <summary>The configuration the network was built from.</summary>
    public UNetConfig Config { get; }

    /// <param name="config">Sizes and layout; validated.</param>
    public UNet(UNetConfig config) : base(nameof(UNet))
    {
        config.Validate();
        Config = config;
        int embeddingDim = 4 * config.BaseChannels;
        timeEmbedding = new TimeEmbedding(config.TimeEmbedding, config.TimeFeatureCount, embeddingDim);
        inputConv = UNetLayers.Conv3x3(config.ImageChannels, config.BaseChannels);
        var skipChannels = new Stack<int>([config.BaseChannels]);
        (downBlocks, downAttention, downsamplers) = BuildDownPath(config, embeddingDim, skipChannels);
        int channels = skipChannels.Peek();
        middleBlock0 = new ResidualBlock(channels, channels, embeddingDim, config.Dropout);
        middleAttention = new AttentionBlock(channels);
        middleBlock1 = new ResidualBlock(channels, channels, embeddingDim, config.Dropout);
        (upBlocks, upAttention, upsamplers) = BuildUpPath(config, embeddingDim, skipChannels);
        outputNorm = UNetLayers.Norm(config.BaseChannels);
        outputConv = UNetLayers.Conv3x3(config.BaseChannels, config.ImageChannels);
        using (no_grad())
        {
            init.zeros_(outputConv.weight!);
            init.zeros_(outputConv.bias!);
        }
        RegisterComponents();
    }

    /// <summary>phi_theta(x_t, t) = x0_hat - x_t.</summary>
    /// <param name="xT">x_t [B, C, H, W], H and W divisible by <see cref="UNetConfig.SizeDivisor"/>.</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>phi [B, C, H, W].</returns>
    public override Tensor forward(Tensor xT, Tensor t)
    {
        CheckInput(xT, t);
        using var scope = NewDisposeScope();
        var embedding = timeEmbedding.call(t.to(xT.dtype, xT.device));
        var skips = new Stack<Tensor>();
        var h = DownPath(inputConv.call(xT), embedding, skips);
        h = middleBlock1.call(middleAttention.call(middleBlock0.call(h, embedding)), embedding);
        h = UpPath(h, embedding, skips);
        return outputConv.call(functional.silu(outputNorm.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>Number of trainable weights.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>Writes the weights as a PyTorch state dict (torch.load-able) through TorchSharp.PyBridge.</summary>
    public void ExportPyTorch(string path) => this.save_py(path);

    /// <summary>Reads weights saved by <see cref="ExportPyTorch"/> or by PyTorch with the same parameter names;
    /// every parameter must be present and of the same shape.</summary>
    public void ImportPyTorch(string path) => this.load_py(path, strict: true);

    Tensor DownPath(Tensor h, Tensor embedding, Stack<Tensor> skips)
    {
        skips.Push(h);
        for (int level = 0, block = 0; level < Config.Levels; level++)
        {
            for (int i = 0; i < Config.BlocksPerLevel; i++, block++)
            {
                h = downAttention[block].call(downBlocks[block].call(h, embedding));
                skips.Push(h);
            }
            if (level < Config.Levels - 1)
            {
                h = downsamplers[level].call(h);
                skips.Push(h);
            }
        }
        return h;
    }

    Tensor UpPath(Tensor h, Tensor embedding, Stack<Tensor> skips)
    {
        for (int level = Config.Levels - 1, block = 0; level >= 0; level--)
        {
            for (int i = 0; i <= Config.BlocksPerLevel; i++, block++)
                h = upAttention[block].call(upBlocks[block].call(cat([h, skips.Pop()], 1), embedding));
            if (level > 0) h = upsamplers[Config.Levels - 1 - level].call(h);
        }
        return h;
    }

    // Down path: BlocksPerLevel residual blocks per level (each output is a skip), then a downsampler (also a skip).
    static (ModuleList<ResidualBlock>, ModuleList<Module<Tensor, Tensor>>, ModuleList<Downsample>) BuildDownPath(
        UNetConfig config, int embeddingDim, Stack<int> skipChannels)
    {
        var (blocks, attention, downsamplers) = (new ModuleList<ResidualBlock>(), new ModuleList<Module<Tensor, Tensor>>(), new ModuleList<Downsample>());
        int channels = config.BaseChannels;
        for (int level = 0; level < config.Levels; level++)
        {
            int outChannels = config.BaseChannels * config.ChannelMultipliers[level];
            for (int i = 0; i < config.BlocksPerLevel; i++)
            {
                blocks.Add(new ResidualBlock(channels, outChannels, embeddingDim, config.Dropout));
                attention.Add(AttentionOrIdentity(config, level, outChannels));
                channels = outChannels;
                skipChannels.Push(channels);
            }
            if (level == config.Levels - 1) continue;
            downsamplers.Add(new Downsample(channels));
            skipChannels.Push(channels);
        }
        return (blocks, attention, downsamplers);
    }

    // Up path: BlocksPerLevel + 1 residual blocks per level, each consuming one skip, then an upsampler.
    static (ModuleList<ResidualBlock>, ModuleList<Module<Tensor, Tensor>>, ModuleList<Upsample>) BuildUpPath(
        UNetConfig config, int embeddingDim, Stack<int> skipChannels)
    {
        var (blocks, attention, upsamplers) = (new ModuleList<ResidualBlock>(), new ModuleList<Module<Tensor, Tensor>>(), new ModuleList<Upsample>());
        int channels = skipChannels.Peek();
        for (int level = config.Levels - 1; level >= 0; level--)
        {
            int outChannels = config.BaseChannels * config.ChannelMultipliers[level];
            for (int i = 0; i <= config.BlocksPerLevel; i++)
            {
                blocks.Add(new ResidualBlock(channels + skipChannels.Pop(), outChannels, embeddingDim, config.Dropout));
                attention.Add(AttentionOrIdentity(config, level, outChannels));
                channels = outChannels;
            }
            if (level > 0) upsamplers.Add(new Upsample(channels));
        }
        return (blocks, attention, upsamplers);
    }

    static Module<Tensor, Tensor> AttentionOrIdentity(UNetConfig config, int level, int channels) =>
        config.AttentionLevels.Contains(level) ? new AttentionBlock(channels) : Identity();

    void CheckInput(Tensor xT, Tensor t)
    {
        if (xT.dim() != 4 || xT.shape[1] != Config.ImageChannels)
            throw new ArgumentException($"Expected x_t of shape [B, {Config.ImageChannels}, H, W], got [{string.Join(", ", xT.shape)}].", nameof(xT));
        if (xT.shape[2] % Config.SizeDivisor != 0 || xT.shape[3] % Config.SizeDivisor != 0)
            throw new ArgumentException($"Expected H and W divisible by {Config.SizeDivisor} ({Config.Levels} levels), got {xT.shape[2]} x {xT.shape[3]}; pad the images.", nameof(xT));
        if (t.dim() != 1 || t.shape[0] != xT.shape[0])
            throw new ArgumentException($"Expected t of shape [{xT.shape[0]}], got [{string.Join(", ", t.shape)}].", nameof(t));
    }
}
