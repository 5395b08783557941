using SoftDiffusion.Data;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Data;

/// <summary>The standard 12-image folder prepared once into three caches (train, valid, test).</summary>
public sealed class CelebAPreparedFixture : IDisposable
{
    public CelebATestFolder Folder { get; } = CelebATestFolder.Standard();
    public Dictionary<CelebASplit, CelebAPreparationResult> Results { get; } = [];
    public List<int> TrainProgress { get; } = [];

    public CelebAPreparedFixture()
    {
        var celeba = CelebAFolder.Open(Folder.Root);
        foreach (var split in Enum.GetValues<CelebASplit>())
        {
            // A chunk of 3 images so progress is reported more than once; the callback runs synchronously.
            var progress = new SynchronousProgress(split == CelebASplit.Train ? TrainProgress.Add : _ => { });
            Results[split] = CelebAPreparation.Prepare(celeba, split, CachePath(split),
                new CelebAPreparationOptions(MaxDegreeOfParallelism: 2, ChunkSize: 3), progress);
        }
    }

    public string CachePath(CelebASplit split) => Path.Combine(Folder.Root, "cache", $"celeba64-{split}.u8");

    public void Dispose() => Folder.Dispose();
}

sealed class SynchronousProgress(Action<int> report) : IProgress<int>
{
    public void Report(int value) => report(value);
}

[Collection(SoftDiffusion.Tests.Experiments.RunsFolderCollection.Name)]
public class CelebA64Tests(CelebAPreparedFixture prepared) : IClassFixture<CelebAPreparedFixture>
{
    // JPEG at quality 100 with 4:4:4 chroma, plus the resize's rounding, moves colours by a few levels (measured: at
    // most 2); 6 levels (of 255) allows for that, while a crop off by one source pixel would bring ~60 levels of the
    // green border into the edge pixels.
    const double Tolerance = 6;

    [Fact]
    public void PreparationKeepsEverySplitInPartitionOrder()
    {
        foreach (var (split, result) in prepared.Results)
        {
            using var data = CelebA64.Open(result.CachePath);
            var expected = Enumerable.Range(0, 12).Where(k => CelebATestFolder.StandardPartitions[k] == (int)split).Select(CelebATestFolder.FileName).ToList();
            Assert.Equal(expected, data.FileNames);
            Assert.Equal((expected.Count, expected.Count, 0), (result.Listed, result.Written, result.FailureCount));
        }
        Assert.Equal(8, prepared.Results[CelebASplit.Train].Written);
        Assert.Equal([3, 6, 8], prepared.TrainProgress);
    }

    [Fact]
    public void CropRemovesTheBorderAndKeepsTheCentreInOrder()
    {
        using var data = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        using var x = data.Images(Enumerable.Range(0, data.Count).ToArray());
        Assert.Equal(new long[] { 8, 3, 64, 64 }, x.shape);
        Assert.True(x.min().item<float>() >= -1 && x.max().item<float>() <= 1);
        for (int b = 0; b < data.Count; b++)
        {
            int k = int.Parse(data.FileNames[b][..6]) - 1;
            AssertPattern(x[b], CelebATestFolder.Blue(k));
        }
    }

    [Fact]
    public void FlipsMirrorAlongWidth()
    {
        using var data = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        int[] indices = [0, 5, 2];
        using var original = data.Images(indices);
        using var flipped = data.Images(indices, [true, false, true]);
        using var expected = stack([original[0].flip(2), original[1], original[2].flip(2)]);
        Assert.True(flipped.equal(expected).all().item<bool>());
    }

    [Fact]
    public void GeneratorFlipsAreReproducibleAndEachImageIsEitherWay()
    {
        using var data = CelebA64.Open(prepared.CachePath(CelebASplit.Train));
        int[] indices = Enumerable.Range(0, 8).ToArray();
        using var first = data.Images(indices, new Generator(7));
        using var again = data.Images(indices, new Generator(7));
        using var explicitFlips = data.Images(indices, CelebA64.RandomFlips(8, new Generator(7)));
        using var original = data.Images(indices);
        Assert.True(first.equal(again).all().item<bool>());
        Assert.True(first.equal(explicitFlips).all().item<bool>());
        for (int b = 0; b < 8; b++)
            Assert.True(first[b].equal(original[b]).all().item<bool>() || first[b].equal(original[b].flip(2)).all().item<bool>());
        // 2^-8 chance that seed 7 flips none or all would make this vacuous; it does not (checked by the assertion).
        var flips = CelebA64.RandomFlips(8, new Generator(7));
        Assert.Contains(true, flips);
        Assert.Contains(false, flips);
    }

    [Fact]
    public void ReopenedCacheGivesTheSameTensorsWithoutTheFolder()
    {
        string path = prepared.CachePath(CelebASplit.Valid);
        using var opened = CelebA64.Open(path);
        using var loaded = CelebA64.Load(CelebASplit.Valid, folder: "/nonexistent/celeba", cachePath: path);
        using var a = opened.Images([1, 0]);
        using var b = loaded.Images([1, 0]);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.Equal(opened.FileNames, loaded.FileNames);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => opened.Images([2]));
        Assert.Contains("0..1, got 2", e.Message);
    }

    [Fact]
    public void LoadPreparesAMissingCacheOnce()
    {
        string path = Path.Combine(prepared.Folder.Root, "load", "test.u8");
        using (var data = CelebA64.Load(CelebASplit.Test, prepared.Folder.Root, path))
            Assert.Equal(prepared.Results[CelebASplit.Test].Written, data.Count);
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void UnusableImagesAreNamedCountedAndExcluded()
    {
        using var folder = new CelebATestFolder();
        folder.AddPattern(0, 178, 218, partition: 0);
        folder.Add(CelebATestFolder.FileName(1), CelebAPreprocessingTests.RandomBytes(4000, seed: 2), partition: 0);
        folder.AddPattern(2, 100, 120, partition: 0);
        folder.AddPattern(3, 151, 160, partition: 0); // another size, still at least 140 x 140: centre-cropped at (5, 10)
        string path = Path.Combine(folder.Root, "train.u8");
        var result = CelebAPreparation.Prepare(CelebAFolder.Open(folder.Root), CelebASplit.Train, path,
            new CelebAPreparationOptions(MaxFailureFraction: 0.5));
        Assert.Equal((4, 2, 2), (result.Listed, result.Written, result.FailureCount));
        Assert.Equal(["000002.jpg", "000003.jpg"], result.Failures.Select(f => f.FileName));
        Assert.Contains("not a decodable image", result.Failures[0].Reason);
        Assert.Contains("100 x 120 is smaller than the 140 x 140 centre crop", result.Failures[1].Reason);
        using var data = CelebA64.Open(path);
        Assert.Equal(["000001.jpg", "000004.jpg"], data.FileNames);
        using var x = data.Images([1]);
        AssertPattern(x[0], CelebATestFolder.Blue(3));
    }

    [Fact]
    public void TooManyFailuresThrowAndWriteNoCache()
    {
        using var folder = new CelebATestFolder();
        folder.AddPattern(0, 178, 218, partition: 2);
        folder.Add(CelebATestFolder.FileName(1), CelebAPreprocessingTests.RandomBytes(4000, seed: 3), partition: 2);
        string path = Path.Combine(folder.Root, "test.u8");
        var e = Assert.Throws<InvalidDataException>(() => CelebAPreparation.Prepare(CelebAFolder.Open(folder.Root), CelebASplit.Test, path));
        Assert.Contains("1 of 2 CelebA Test images are unusable", e.Message);
        Assert.Contains("000002.jpg: not a decodable image", e.Message);
        Assert.Empty(Directory.GetFiles(folder.Root, "*.u8*"));
    }

    [Fact]
    public void CacheOfAnotherFormatOrShapeIsRefusedByName()
    {
        using var folder = new CelebATestFolder();
        string wrongMagic = Path.Combine(folder.Root, "magic.u8");
        File.WriteAllBytes(wrongMagic, [.. "NOTCELEB"u8, .. new byte[40]]);
        var e = Assert.Throws<InvalidDataException>(() => CelebA64.Open(wrongMagic));
        Assert.Contains(wrongMagic, e.Message);
        Assert.Contains("expected magic \"SDCELEBA\", found \"NOTCELEB\"", e.Message);

        string wrongShape = Path.Combine(folder.Root, "shape.u8");
        byte[] header = File.ReadAllBytes(prepared.CachePath(CelebASplit.Test))[..CelebACacheFormat.HeaderBytes];
        BitConverter.TryWriteBytes(header.AsSpan(16, 4), 32); // height 32 instead of 64
        File.WriteAllBytes(wrongShape, header);
        e = Assert.Throws<InvalidDataException>(() => CelebA64.Open(wrongShape));
        Assert.Contains(wrongShape, e.Message);
        Assert.Contains("expected 64 x 64 x 3 images, found 32 x 64 x 3", e.Message);
    }

    [Fact]
    public void DefaultCacheLivesUnderRuns()
    {
        string expected = Path.Combine(SoftDiffusion.Runtime.ProjectPaths.Runs, "cache", "celeba64-valid.u8");
        Assert.Equal(expected, CelebACacheFormat.DefaultPath(CelebASplit.Valid));
    }

    /// <summary>No green (border cropped away), red 230 on the left and 30 on the right, blue as the source.</summary>
    static void AssertPattern(Tensor image, byte blue)
    {
        using var scope = NewDisposeScope();
        var levels = image.add(1).mul(127.5); // back to 0..255, [3, 64, 64]
        Assert.InRange(levels[1].max().item<float>(), 0, Tolerance);
        AssertNear(levels[0].narrow(1, 0, 28), CelebATestFolder.RedLeft);   // columns 0..27: away from the halves' edge at 32
        AssertNear(levels[0].narrow(1, 36, 28), CelebATestFolder.RedRight); // columns 36..63
        AssertNear(levels[2], blue);
    }

    static void AssertNear(Tensor levels, double expected) =>
        Assert.InRange(levels.sub(expected).abs().max().item<float>(), 0, Tolerance);
}
