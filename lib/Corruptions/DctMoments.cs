using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// Per-coefficient moments of the orthonormal 2-D DCT of the data, E[DCT2(x_0)] and E[DCT2(x_0)^2] per channel and
/// frequency, from one pass over the data in batches (float64). They are all the level selector (docs/method.md §6.2) and
/// the DCT-Gaussian start distribution (docs/method.md §5) need to know about the data.
/// </summary>
public sealed class DctMoments : IDisposable
{
    /// <summary>E[X^_ckl] [C, H, W] (float64, on the data's device).</summary>
    public Tensor Mean { get; }

    /// <summary>E[X^_ckl^2] [C, H, W] (float64).</summary>
    public Tensor SecondMoment { get; }

    /// <summary>Number of images N.</summary>
    public long Count { get; }

    /// <summary>Moments from given tensors (float64 copies are kept).</summary>
    public DctMoments(Tensor mean, Tensor secondMoment, long count)
    {
        if (mean.dim() != 3 || !mean.shape.SequenceEqual(secondMoment.shape))
            throw new ArgumentException($"Expected mean and second moment of one shape [C, H, W], received {CorruptionArguments.Shape(mean)} and {CorruptionArguments.Shape(secondMoment)}.", nameof(mean));
        Mean = mean.to(ScalarType.Float64).clone().DetachFromDisposeScope();
        SecondMoment = secondMoment.to(ScalarType.Float64).clone().DetachFromDisposeScope();
        Count = count;
    }

    /// <summary>Var[X^_ckl] = E[X^2] - E[X]^2 [C, H, W] (population variance, clamped at 0).</summary>
    public Tensor Variance()
    {
        using var scope = NewDisposeScope();
        return (SecondMoment - Mean.square()).clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>One pass over images [N, C, H, W], <paramref name="batchSize"/> images at a time.</summary>
    public static DctMoments Compute(Tensor images, long batchSize = 256)
    {
        CorruptionArguments.CheckImages(images, nameof(images));
        if (images.shape[0] < 1 || batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(images), $"Expected N >= 1 images and batchSize >= 1, received N = {images.shape[0]}, batchSize = {batchSize}.");
        using var scope = NewDisposeScope();
        var sum = zeros(images.shape[1..], dtype: ScalarType.Float64, device: images.device);
        var sumSquares = zeros_like(sum);
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            var xHat = Dct2d.Forward(images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(ScalarType.Float64));
            sum.add_(xHat.sum([0]));
            sumSquares.add_(xHat.square().sum([0]));
        }
        var n = images.shape[0];
        return new DctMoments(sum / n, sumSquares / n, n);
    }

    public void Dispose()
    {
        Mean.Dispose();
        SecondMoment.Dispose();
    }
}
