using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Batches of a dataset in an order fixed by a seed: epoch e visits a random permutation drawn from a generator
/// seeded with (seed, e), in consecutive batches; the last incomplete batch of an epoch is dropped. Starts at any
/// <see cref="DataPosition"/>, so a resumed run sees the same batches; a dataset's random augmentation is keyed by
/// (seed, position) too (<see cref="IImageDataset.Images(long[], ulong)"/>). The next batch is read on a background
/// task while the caller works on the current one.
/// </summary>
public sealed class ShuffledBatches : IDisposable
{
    readonly IImageDataset data;
    readonly int batchSize;
    readonly long seed;
    (long Epoch, long[] Order)? permutation;   // touched only by the background task
    Task<Tensor> pending;

    /// <summary>Position of the batch the next <see cref="Next"/> returns.</summary>
    public DataPosition Position { get; private set; }

    /// <summary>Full batches per epoch, floor(N / B).</summary>
    public long BatchesPerEpoch { get; }

    /// <param name="data">The images.</param>
    /// <param name="batchSize">B, at most N.</param>
    /// <param name="seed">Seeds every epoch's permutation.</param>
    /// <param name="start">Position of the first batch returned.</param>
    public ShuffledBatches(IImageDataset data, int batchSize, long seed, DataPosition start = default)
    {
        if (batchSize < 1 || batchSize > data.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Expected a batch size in [1, {data.Count}] (the dataset size).");
        (this.data, this.batchSize, this.seed) = (data, batchSize, seed);
        BatchesPerEpoch = data.Count / batchSize;
        Position = start;
        pending = Prefetch(start);
    }

    /// <summary>The batch at <see cref="Position"/> [B, C, H, W] (the caller disposes it); advances the position
    /// and starts reading the following batch.</summary>
    public Tensor Next()
    {
        var batch = pending.GetAwaiter().GetResult();
        Position = Advance(Position);
        pending = Prefetch(Position);
        return batch;
    }

    // The dataset indices of the batch at position (runs on the background task only).
    long[] Indices(DataPosition position)
    {
        if (permutation?.Epoch != position.Epoch)
            permutation = (position.Epoch, Permutation(position.Epoch));
        return permutation.Value.Order.AsSpan((int)(position.Batch * batchSize), batchSize).ToArray();
    }

    public void Dispose()
    {
        try { pending.GetAwaiter().GetResult().Dispose(); }
        catch (Exception) { /* the failure is reported by the Next() that would have consumed it */ }
    }

    Task<Tensor> Prefetch(DataPosition position) => Task.Run(() => data.Images(Indices(position), AugmentationKey(position)));

    /// <summary>The augmentation key of the batch at <paramref name="position"/>: a hash of (seed, epoch, batch).</summary>
    public ulong AugmentationKey(DataPosition position) =>
        Mix(Mix(Mix(0x243F6A8885A308D3UL ^ (ulong)seed) ^ (ulong)position.Epoch) ^ (ulong)position.Batch);

    // SplitMix64's finaliser: nearby inputs give unrelated outputs.
    static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    DataPosition Advance(DataPosition p) => p.Batch + 1 < BatchesPerEpoch ? p with { Batch = p.Batch + 1 } : new(p.Epoch + 1, 0);

    long[] Permutation(long epoch)
    {
        using var generator = new Generator(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch));
        using var order = randperm(data.Count, generator: generator);
        return order.data<long>().ToArray();
    }
}
