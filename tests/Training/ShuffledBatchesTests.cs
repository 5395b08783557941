using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

public sealed class ShuffledBatchesTests
{
    // Image k is filled with the value k, so a batch reveals the indices it holds.
    static readonly TensorImageDataset Indexed = new(arange(10, dtype: ScalarType.Float32).view(10, 1, 1, 1).expand(10, 1, 2, 2).contiguous());

    static long[] Take(ShuffledBatches batches)
    {
        using var batch = batches.Next();
        return batch[.., 0, 0, 0].to(ScalarType.Int64).data<long>().ToArray();
    }

    [Fact]
    public void EachEpochVisitsAPermutationInFullBatches()
    {
        using var batches = new ShuffledBatches(Indexed, batchSize: 3, seed: 5);
        Assert.Equal(3, batches.BatchesPerEpoch);   // floor(10 / 3), the last incomplete batch is dropped

        var epoch0 = Enumerable.Range(0, 3).SelectMany(_ => Take(batches)).ToArray();
        var epoch1 = Enumerable.Range(0, 3).SelectMany(_ => Take(batches)).ToArray();

        Assert.Equal(9, epoch0.Distinct().Count());
        Assert.Equal(9, epoch1.Distinct().Count());
        Assert.NotEqual(epoch0, epoch1);   // a new permutation per epoch
        Assert.Equal(new DataPosition(2, 0), batches.Position);
    }

    [Fact]
    public void StartingAtAPositionGivesTheSameBatchesAsReachingIt()
    {
        using var fromStart = new ShuffledBatches(Indexed, batchSize: 3, seed: 5);
        var all = Enumerable.Range(0, 7).Select(_ => Take(fromStart)).ToList();

        using var resumed = new ShuffledBatches(Indexed, batchSize: 3, seed: 5, start: new DataPosition(1, 1));
        var rest = Enumerable.Range(0, 3).Select(_ => Take(resumed)).ToList();

        Assert.Equal(all.Skip(4), rest);   // position (1, 1) is the 5th batch
    }

    [Fact]
    public void TheSeedChangesTheOrder()
    {
        using var a = new ShuffledBatches(Indexed, batchSize: 9, seed: 1);
        using var b = new ShuffledBatches(Indexed, batchSize: 9, seed: 2);
        Assert.NotEqual(Take(a), Take(b));
    }

    // Records the augmentation key each batch was read with.
    sealed class KeyRecorder : IImageDataset
    {
        public List<ulong> Keys { get; } = [];
        public int Count => 10;
        public long[] ImageShape => [1, 1, 1];
        public Tensor Images(long[] indices) => throw new InvalidOperationException("Training batches must be read with their augmentation key.");
        public Tensor Images(long[] indices, ulong augmentationKey)
        {
            lock (Keys) Keys.Add(augmentationKey);
            return zeros(indices.Length, 1, 1, 1);
        }
    }

    [Fact]
    public void EveryBatchIsReadWithTheKeyOfItsPositionSoAResumedRunAugmentsAlike()
    {
        var straight = new KeyRecorder();
        using (var batches = new ShuffledBatches(straight, batchSize: 3, seed: 5))
            for (int i = 0; i < 7; i++) batches.Next().Dispose();
        var resumedData = new KeyRecorder();
        using (var resumed = new ShuffledBatches(resumedData, batchSize: 3, seed: 5, start: new DataPosition(1, 1)))
            for (int i = 0; i < 3; i++) resumed.Next().Dispose();

        // Next() returns batch k and prefetches batch k + 1, so 7 calls read 8 batches.
        Assert.Equal(8, straight.Keys.Count);
        Assert.Equal(8, straight.Keys.Distinct().Count());   // a different key for every batch
        Assert.Equal(straight.Keys.Skip(4).Take(4), resumedData.Keys);
        using var otherSeed = new ShuffledBatches(new KeyRecorder(), batchSize: 3, seed: 6);
        using var sameSeed = new ShuffledBatches(new KeyRecorder(), batchSize: 3, seed: 5);
        Assert.NotEqual(sameSeed.AugmentationKey(new DataPosition(0, 0)), otherSeed.AugmentationKey(new DataPosition(0, 0)));
        Assert.Equal(straight.Keys[0], sameSeed.AugmentationKey(new DataPosition(0, 0)));
    }
}
