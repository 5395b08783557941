namespace SoftDiffusion.Models;

/// <summary>
/// Size and layout of the NCSN++/DDPM++-style U-Net (Song et al. 2021; the network behind Soft Diffusion's
/// CelebA-64 results, whose exact architecture the paper does not state [choice]). Level l works at resolution
/// H / 2^l; inputs must have H and W divisible by 2^(levels - 1).
/// </summary>
/// <param name="ImageChannels">C of the images x_t [B, C, H, W] (1 for Fashion-MNIST, 3 for CelebA).</param>
/// <param name="BaseChannels">Channels at level 0; level l has BaseChannels * ChannelMultipliers[l].</param>
/// <param name="ChannelMultipliers">One multiplier per resolution level; its length is the number of levels.</param>
/// <param name="BlocksPerLevel">Residual blocks per level on the way down (the way up has one more, as in DDPM).</param>
/// <param name="AttentionLevels">Levels (0 = full resolution) with self-attention after each residual block.</param>
/// <param name="Dropout">Dropout probability inside the residual blocks (NCSN++ on CelebA: 0.1).</param>
/// <param name="TimeEmbedding">Encoding of the continuous t before the time MLP.</param>
/// <param name="TimeFeatures">Number of sin/cos features of t (even); null: <paramref name="BaseChannels"/>.</param>
public sealed record UNetConfig(
    int ImageChannels,
    int BaseChannels,
    int[] ChannelMultipliers,
    int BlocksPerLevel,
    int[] AttentionLevels,
    double Dropout = 0.1,
    TimeEmbeddingKind TimeEmbedding = TimeEmbeddingKind.GaussianFourier,
    int? TimeFeatures = null)
{
    /// <summary>Number of sin/cos features of t fed to the time MLP.</summary>
    public int TimeFeatureCount => TimeFeatures ?? BaseChannels;

    /// <summary>Number of resolution levels (length of <see cref="ChannelMultipliers"/>).</summary>
    public int Levels => ChannelMultipliers.Length;

    /// <summary>H and W of the input must be multiples of this (2^(levels - 1)).</summary>
    public int SizeDivisor => 1 << (Levels - 1);

    /// <summary>Seconds-scale network for tests: 2 levels (8, 16 channels), attention at the lower level.</summary>
    public static UNetConfig Tiny(int imageChannels) =>
        new(imageChannels, BaseChannels: 8, ChannelMultipliers: [1, 2], BlocksPerLevel: 1, AttentionLevels: [1], Dropout: 0);

    /// <summary>Fashion-MNIST 28 x 28 on a laptop CPU: levels 28, 14, 7 with 16, 32, 64 channels, 2 blocks per level,
    /// attention at 7 x 7, no dropout (about 1.0 M parameters; runs of an hour or two underfit rather than overfit), and
    /// 64 sinusoidal features of t (the recipe study, docs/results.md: they halved the training loss of 16 random
    /// Fourier features at an equal budget).</summary>
    public static UNetConfig Cpu(int imageChannels = 1) =>
        new(imageChannels, BaseChannels: 16, ChannelMultipliers: [1, 2, 4], BlocksPerLevel: 2, AttentionLevels: [2], Dropout: 0,
            TimeEmbedding: TimeEmbeddingKind.Sinusoidal, TimeFeatures: 64);

    /// <summary>NCSN++ size for CelebA-64 (score_sde's NCSN++ settings nf 128, ch_mult 1, 2, 2, 2, num_res_blocks 4,
    /// attention at 16 x 16 = level 2 of a 64 x 64 input), with DDPM++ residual blocks instead of BigGAN ones.</summary>
    public static UNetConfig Paper(int imageChannels = 3) =>
        new(imageChannels, BaseChannels: 128, ChannelMultipliers: [1, 2, 2, 2], BlocksPerLevel: 4, AttentionLevels: [2], Dropout: 0.1);

    /// <summary>This network for images of <paramref name="height"/> x <paramref name="width"/>: unchanged when both sides
    /// divide by <see cref="SizeDivisor"/>, else with its lowest-resolution levels dropped until they do (attention only at
    /// levels that remain), e.g. the paper's 4-level U-Net on 28 x 28 Fashion-MNIST keeps levels 28, 14, 7 [choice: no
    /// padding, so the data, the blur and the scorer see the images as they are].</summary>
    /// <param name="height">H of the images.</param>
    /// <param name="width">W of the images.</param>
    public UNetConfig FittedTo(long height, long width)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"Expected positive image sides, got {height} x {width}.");
        int levels = Levels;
        while (levels > 1 && (height % (1 << (levels - 1)) != 0 || width % (1 << (levels - 1)) != 0)) levels--;
        return levels == Levels ? this : this with
        {
            ChannelMultipliers = ChannelMultipliers[..levels],
            AttentionLevels = AttentionLevels.Where(l => l < levels).ToArray(),
        };
    }

    /// <summary>Every setting as a (name, value) pair, for fingerprints, equality and messages such as
    /// "checkpoint base channels 64, this model 32".</summary>
    public IReadOnlyList<(string Name, string Value)> Describe() =>
    [
        ("image channels", ImageChannels.ToString()),
        ("base channels", BaseChannels.ToString()),
        ("channel multipliers", string.Join(",", ChannelMultipliers)),
        ("blocks per level", BlocksPerLevel.ToString()),
        ("attention levels", string.Join(",", AttentionLevels)),
        ("dropout", Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("time embedding", TimeEmbedding.ToString()),
        // Added later: listed only when set, so checkpoints of earlier versions (BaseChannels features) still load.
        .. TimeFeatures is { } features ? [("time features", features.ToString())] : Array.Empty<(string, string)>(),
    ];

    /// <summary>Value equality over every setting, including the contents of the arrays.</summary>
    public bool Equals(UNetConfig? other) => other is not null && Describe().SequenceEqual(other.Describe());

    public override int GetHashCode() => string.Join(";", Describe()).GetHashCode();

    /// <summary>Throws ArgumentException naming the first invalid setting.</summary>
    public void Validate()
    {
        if (ImageChannels < 1) throw new ArgumentException($"Expected at least 1 image channel, got {ImageChannels}.");
        if (BaseChannels < 4) throw new ArgumentException($"Expected at least 4 base channels, got {BaseChannels}.");
        if (Levels < 1 || ChannelMultipliers.Any(m => m < 1))
            throw new ArgumentException($"Expected at least one positive channel multiplier, got [{string.Join(",", ChannelMultipliers)}].");
        if (BlocksPerLevel < 1) throw new ArgumentException($"Expected at least 1 block per level, got {BlocksPerLevel}.");
        if (AttentionLevels.Any(l => l < 0 || l >= Levels))
            throw new ArgumentException($"Expected attention levels in [0, {Levels - 1}], got [{string.Join(",", AttentionLevels)}].");
        if (TimeFeatureCount < 2 || TimeFeatureCount % 2 != 0)
            throw new ArgumentException($"Expected an even number of time features >= 2, got {TimeFeatureCount}.");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Expected dropout in [0, 1), got {Dropout}.");
    }
}
