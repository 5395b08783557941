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
