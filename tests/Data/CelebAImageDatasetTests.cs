using SoftDiffusion.Data;

namespace SoftDiffusion.Tests.Data;

[Collection(SoftDiffusion.Tests.Experiments.RunsFolderCollection.Name)]
public class CelebAImageDatasetTests(CelebAPreparedFixture prepared) : IClassFixture<CelebAPreparedFixture>
{
    static readonly long[] All = [0, 1, 2, 3, 4, 5, 6, 7];

    [Fact]
    public void EachTrainingImageIsItselfOrItsMirrorAsTheKeysCoinSays()
    {
        using var cache = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        var data = new CelebAImageDataset(cache);
        using var plain = data.Images(All);
        using var mirrored = plain.flip(3);
        int flipped = 0, coins = 0;
        var patterns = new HashSet<int>();
        for (ulong key = 0; key < 200; key++)
        {
            using var batch = data.Images(All, key);
            using var again = data.Images(All, key);
            Assert.True(batch.equal(again).all().item<bool>());   // the key fixes the flips
            int pattern = 0;
            for (int b = 0; b < All.Length; b++)
            {
                bool isPlain = batch[b].equal(plain[b]).all().item<bool>(), isMirror = batch[b].equal(mirrored[b]).all().item<bool>();
                Assert.True(isPlain ^ isMirror, $"key {key}, image {b}: expected the image or its mirror (the fixture's halves differ, so not both)");
                flipped += isMirror ? 1 : 0;
                coins++;
                if (isMirror) pattern |= 1 << b;
            }
            patterns.Add(pattern);
        }
        // Keys choose flips independently: 200 draws of 256 equally likely patterns give ~139 distinct ones.
        Assert.True(patterns.Count > 100, $"expected the flips to change with the key, got {patterns.Count} patterns in 200 keys");
        // 1,600 fair coins: the share of heads has standard deviation 0.0125; 0.5 +- 0.05 is four of them.
        Assert.InRange(flipped / (double)coins, 0.45, 0.55);
    }

    [Fact]
    public void WithoutRandomFlipsTrainingBatchesAreTheStoredImages()
    {
        using var cache = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        var data = new CelebAImageDataset(cache, randomFlips: false);
        using var plain = data.Images(All);
        using var batch = data.Images(All, augmentationKey: 12345);
        Assert.True(batch.equal(plain).all().item<bool>());
        Assert.Equal([3L, 64, 64], data.ImageShape);
    }

    [Fact]
    public void ACountKeepsTheFirstImagesAndIndicesBeyondItAreRefused()
    {
        using var cache = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        var data = new CelebAImageDataset(cache, count: 5);
        Assert.Equal(5, data.Count);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.Images([0, 5]));
        Assert.Contains("0..4, got 5", e.Message);
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => new CelebAImageDataset(cache, count: 9));
        Assert.Contains("between 1 and 8", tooMany.Message);
    }
}
