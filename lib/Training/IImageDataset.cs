using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>A training set of N images the trainer draws batches x_0 from (Soft Diffusion trains on CelebA-64;
/// the workbook defaults to Fashion-MNIST).</summary>
public interface IImageDataset
{
    /// <summary>Number of images N.</summary>
    int Count { get; }

    /// <summary>Shape of one image [C, H, W].</summary>
    long[] ImageShape { get; }

    /// <summary>The images with the given indices, in that order.</summary>
    /// <param name="indices">Indices in [0, N).</param>
    /// <returns>[B, C, H, W] float32 in [-1, 1] on the CPU; the caller owns (disposes) it. May be called from a
    /// background thread.</returns>
    Tensor Images(long[] indices);

    /// <summary>A training batch: the images with the given indices, randomly augmented (e.g. flipped) by draws from a
    /// generator seeded with <paramref name="augmentationKey"/>. <see cref="ShuffledBatches"/> derives the key from the
    /// batch's <see cref="DataPosition"/>, so a resumed run sees the same augmented batches. The default augments nothing.</summary>
    /// <param name="indices">Indices in [0, N).</param>
    /// <param name="augmentationKey">Seed of the batch's augmentation draws.</param>
    Tensor Images(long[] indices, ulong augmentationKey) => Images(indices);
}
