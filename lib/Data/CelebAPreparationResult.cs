namespace SoftDiffusion.Data;

/// <summary>What the one-time CelebA-64 preparation (docs/method.md §8.1) wrote, and what it left out.</summary>
/// <param name="Split">The split prepared.</param>
/// <param name="CachePath">The cache file written.</param>
/// <param name="Listed">Images of the split in the partition file.</param>
/// <param name="Written">Images in the cache (Listed - failures).</param>
/// <param name="Failures">Images left out, in partition-file order, each with its reason.</param>
/// <param name="Elapsed">Wall-clock time of the preparation.</param>
public sealed record CelebAPreparationResult(
    CelebASplit Split,
    string CachePath,
    int Listed,
    int Written,
    IReadOnlyList<CelebAImageFailure> Failures,
    TimeSpan Elapsed)
{
    /// <summary>Number of images left out.</summary>
    public int FailureCount => Failures.Count;

    /// <summary>Images decoded per second (written and failed).</summary>
    public double ImagesPerSecond => Listed / Math.Max(Elapsed.TotalSeconds, 1e-9);
}
