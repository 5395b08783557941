using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Data;

/// <summary>
/// CelebA-64 as a training set: the first <see cref="Count"/> images of a <see cref="CelebA64"/> cache, read from the
/// memory-mapped file batch by batch (nothing is held in memory), each training image flipped horizontally with
/// probability 1/2 (the paper's augmentation, docs/method.md §8.1) by a coin drawn from the batch's augmentation key.
/// </summary>
public sealed class CelebAImageDataset : IImageDataset
{
    readonly CelebA64 cache;

    /// <param name="cache">The cache; not disposed here, the caller keeps ownership.</param>
    /// <param name="count">Use only the first images (default all).</param>
    /// <param name="randomFlips">Flip training batches at random (false: never).</param>
    public CelebAImageDataset(CelebA64 cache, int? count = null, bool randomFlips = true)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (count is < 1 || count > cache.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected between 1 and {cache.Count} images (the cache {cache.CachePath}).");
        (this.cache, Count, RandomFlips) = (cache, count ?? cache.Count, randomFlips);
    }

    public int Count { get; }

    public long[] ImageShape => [3, CelebA64.Size, CelebA64.Size];

    /// <summary>Whether training batches are flipped at random.</summary>
    public bool RandomFlips { get; }

    /// <summary>The images as stored (no flips).</summary>
    public Tensor Images(long[] indices) => cache.Images(Checked(indices));

    /// <summary>The images, each flipped horizontally when a fair coin from a generator seeded with
    /// <paramref name="augmentationKey"/> says so (one coin per image, in batch order).</summary>
    public Tensor Images(long[] indices, ulong augmentationKey)
    {
        if (!RandomFlips) return Images(indices);
        using var generator = new Generator(augmentationKey);
        return cache.Images(Checked(indices), generator);
    }

    int[] Checked(long[] indices) => indices.Select(i => (uint)i < (uint)Count ? (int)i
        : throw new ArgumentOutOfRangeException(nameof(indices), $"Expected image indices in 0..{Count - 1}, got {i}.")).ToArray();
}
