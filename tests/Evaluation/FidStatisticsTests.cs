using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class FidStatisticsTests
{
    const int D = 8;

    /// <summary>Features with a large common offset (1000), where a naive sum of squares would lose ~6 digits.</summary>
    static Tensor Features(long n, ulong seed)
    {
        using var g = new Generator(seed);
        return randn([n, D], generator: g) * linspace(0.5, 3, D) + 1000;
    }

    static FidStatistics InBatches(Tensor x, params long[] batchSizes)
    {
        var statistics = new FidStatistics(D);
        long start = 0;
        foreach (var size in batchSizes)
        {
            statistics.Add(x.narrow(0, start, size));
            start += size;
        }
        Assert.Equal(x.shape[0], start);
        return statistics;
    }

    [Fact]
    public void MeanAndCovarianceMatchTorchCovInFloat64()
    {
        using var x = Features(500, 1);
        using var statistics = InBatches(x, 1, 37, 100, 362);
        using var x64 = x.to(ScalarType.Float64);
        using var expectedMean = x64.mean([0]);
        using var expectedCov = cov(x64.T); // torch.cov, correction 1 (N - 1): an independent float64 computation
        using var mean = statistics.Mean;
        using var covariance = statistics.Covariance;
        Assert.Equal(500, statistics.Count);
        // float32 inputs are exact in float64; the two float64 computations differ only by round-off (~1e-13 relative).
        Assert.True(mean.allclose(expectedMean, rtol: 1e-12, atol: 0), "mean");
        Assert.True(covariance.allclose(expectedCov, rtol: 1e-9, atol: 1e-9), $"covariance: max diff {(covariance - expectedCov).abs().max().item<double>()}");
    }

    [Fact]
    public void MergingTwoHalvesEqualsTheWhole()
    {
        using var x = Features(301, 2);
        using var whole = InBatches(x, 301);
        using var first = InBatches(x.narrow(0, 0, 120), 120);
        using var second = InBatches(x.narrow(0, 120, 181), 50, 131);
        first.Merge(second);
        using var m1 = first.Mean; using var m2 = whole.Mean;
        using var c1 = first.Covariance; using var c2 = whole.Covariance;
        Assert.Equal(whole.Count, first.Count);
        // Chan's update is exact algebra; differences are float64 round-off on values of size 1000 and 9.
        Assert.True(m1.allclose(m2, rtol: 1e-13, atol: 0));
        Assert.True(c1.allclose(c2, rtol: 1e-10, atol: 1e-10));
    }

    [Fact]
    public void MergingIntoEmptyStatisticsCopiesThem()
    {
        using var x = Features(20, 3);
        using var source = FidStatistics.FromFeatures(x);
        using var target = new FidStatistics(D);
        target.Merge(source);
        using var m1 = target.Mean; using var m2 = source.Mean;
        using var c1 = target.Covariance; using var c2 = source.Covariance;
        Assert.Equal(20, target.Count);
        Assert.True(m1.eq(m2).all().item<bool>() && c1.eq(c2).all().item<bool>());
    }

    [Fact]
    public void SaveLoadRoundTripIsExact()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("stats.bin");
        using var x = Features(50, 4);
        using var saved = FidStatistics.FromFeatures(x);
        saved.Save(path);
        using var loaded = FidStatistics.Load(path, expectedDimension: D);
        using var m1 = saved.Mean; using var m2 = loaded.Mean;
        using var c1 = saved.Covariance; using var c2 = loaded.Covariance;
        Assert.Equal(saved.Count, loaded.Count);
        Assert.Equal(D, loaded.Dimension);
        Assert.True(m1.eq(m2).all().item<bool>() && c1.eq(c2).all().item<bool>(), "doubles are written bit for bit");
        Assert.Equal(24 + 8 * (D + D * D), new FileInfo(path).Length);
    }

    [Fact]
    public void LoadingStatisticsOfAnotherDimensionNamesTheFileAndBothDimensions()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("stats8.bin");
        using var x = Features(10, 5);
        using (var s = FidStatistics.FromFeatures(x)) s.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => FidStatistics.Load(path, expectedDimension: 2048));
        Assert.Contains(path, e.Message);
        Assert.Contains("8-dimensional", e.Message);
        Assert.Contains("2048", e.Message);
    }

    [Fact]
    public void TruncatedFileIsRejectedWithItsLength()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("stats.bin");
        using var x = Features(10, 6);
        using (var s = FidStatistics.FromFeatures(x)) s.Save(path);
        long full = new FileInfo(path).Length;
        using (var stream = File.OpenWrite(path)) stream.SetLength(full - 100);
        var e = Assert.Throws<InvalidDataException>(() => FidStatistics.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"{full}", e.Message);

        using (var stream = File.OpenWrite(path)) stream.SetLength(10); // shorter than the header
        e = Assert.Throws<InvalidDataException>(() => FidStatistics.Load(path));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void WrongMagicIsRejected()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("not-stats.npz");
        File.WriteAllBytes(path, new byte[200]);
        var e = Assert.Throws<InvalidDataException>(() => FidStatistics.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an FID statistics file", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FidStatistics.Load("/nonexistent/stats.bin"));
        Assert.Contains("/nonexistent/stats.bin", e.Message);
    }

    [Fact]
    public void NonFiniteFeaturesAreRejected()
    {
        using var statistics = new FidStatistics(D);
        using var x = Features(4, 7);
        x[2, 3] = tensor(double.NaN);
        x[0, 0] = tensor(double.PositiveInfinity);
        var e = Assert.Throws<ArgumentException>(() => statistics.Add(x));
        Assert.Contains("2 of 32 values are NaN or infinite", e.Message);
        Assert.Equal(0, statistics.Count); // nothing was accumulated
    }

    [Fact]
    public void FeaturesOfAnotherWidthAreRejected()
    {
        using var statistics = new FidStatistics(D);
        using var x = zeros(3, D + 1);
        var e = Assert.Throws<ArgumentException>(() => statistics.Add(x));
        Assert.Contains($"[N, {D}]", e.Message);
        Assert.Contains($"[3, {D + 1}]", e.Message);
    }

    [Fact]
    public void CovarianceOfOneVectorIsAnError()
    {
        using var x = Features(1, 8);
        using var statistics = FidStatistics.FromFeatures(x);
        Assert.Throws<InvalidOperationException>(() => statistics.Covariance);
    }
}
