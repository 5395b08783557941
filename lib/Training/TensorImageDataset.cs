using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>An <see cref="IImageDataset"/> over images already in memory as one tensor [N, C, H, W] in [-1, 1].</summary>
public sealed class TensorImageDataset : IImageDataset
{
    readonly Tensor images;

    /// <param name="images">[N, C, H, W] float32 in [-1, 1] on the CPU; not copied, the caller keeps ownership.</param>
    public TensorImageDataset(Tensor images)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"Expected float32 images [N, C, H, W], got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        this.images = images;
    }

    public int Count => (int)images.shape[0];

    public long[] ImageShape => images.shape[1..];

    public Tensor Images(long[] indices)
    {
        using var index = tensor(indices, device: images.device);
        return images.index_select(0, index);
    }
}
