using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// The alternative start distribution p_1 (docs/method.md §5, [choice]): x_1 = C_1 x' + sigma_1 eta for a training image
/// x' drawn uniformly (index from generator k, then eta from the same generator).
/// </summary>
public sealed class TrainingImageStart : IStartDistribution
{
    readonly Tensor images;
    readonly CorruptionProcess process;

    /// <param name="images">Training images [N, C, H, W] (kept by reference, not copied or disposed).</param>
    /// <param name="corruption">C_t; applied at t = 1.</param>
    /// <param name="noise">sigma_t; sigma_1 is used.</param>
    public TrainingImageStart(Tensor images, ICorruption corruption, INoiseSchedule noise)
    {
        CorruptionArguments.CheckImages(images, nameof(images));
        if (images.shape[0] < 1)
            throw new ArgumentException($"Expected at least one image, received shape {CorruptionArguments.Shape(images)}.", nameof(images));
        this.images = images;
        process = new CorruptionProcess(corruption, noise);
    }

    /// <inheritdoc/>
    public Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        var n = images.shape[0];
        var u = noise.Rand([1], ScalarType.Float64).view(-1);
        var index = (u * n).floor().clamp(0, n - 1).to(ScalarType.Int64).to(images.device);
        var x = images.index_select(0, index).to(dtype, device ?? CPU);
        var t = ones(noise.Count, dtype: dtype, device: device ?? CPU);
        return process.Sample(x, t, noise).MoveToOuterDisposeScope();
    }
}
