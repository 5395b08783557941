namespace SoftDiffusion.Data;

/// <summary>Options of the one-time CelebA-64 preparation (docs/method.md §8.1 preprocessing into the cache).</summary>
public sealed record CelebAPreparationOptions(
    // Decoding threads; 0 means Environment.ProcessorCount.
    int MaxDegreeOfParallelism = 0,
    // Largest tolerated fraction of unusable images (listed in the partition file but missing, corrupt or smaller
    // than 140 x 140). More than this throws and writes no cache: a damaged download should be fixed, not trained on.
    // The default 1% tolerates a few bad files out of 202,599; each one is still named in the result.
    double MaxFailureFraction = 0.01,
    // Images decoded per parallel chunk; progress is reported after each chunk.
    int ChunkSize = 512);
