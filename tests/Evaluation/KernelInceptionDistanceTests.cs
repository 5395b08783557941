using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class KernelInceptionDistanceTests
{
    [Fact]
    public void FullSetSubsetMatchesTheUnbiasedEstimatorWrittenAsLoops()
    {
        // Subsets of the whole set are permutations, and MMD^2_u does not depend on the order of either set.
        using var g = new Generator(1);
        using var x = randn([6, 3], dtype: ScalarType.Float64, generator: g);
        using var y = randn([6, 3], dtype: ScalarType.Float64, generator: g) + 0.3;
        var result = KernelInceptionDistance.Compute(x, y, new KernelInceptionDistanceOptions(SubsetCount: 3, SubsetSize: 6), g);
        double expected = LoopMmd2(x.data<double>().ToArray(), y.data<double>().ToArray(), m: 6, d: 3);
        Assert.All(result.PerSubset, v => Assert.Equal(expected, v, 1e-12));
        Assert.Equal(expected, result.Mean, 1e-12);
        Assert.Equal(0, result.StandardDeviation, 1e-12);
        Assert.Equal(6, result.SubsetSize);
    }

    static double LoopMmd2(double[] x, double[] y, int m, int d)
    {
        double K(double[] a, int i, double[] b, int j) => Math.Pow(Enumerable.Range(0, d).Sum(k => a[i * d + k] * b[j * d + k]) / d + 1, 3);
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                if (i != j) { xx += K(x, i, x, j); yy += K(y, i, y, j); }
                xy += K(x, i, y, j);
            }
        return (xx + yy) / (m * (m - 1.0)) - 2 * xy / (m * (double)m);
    }

    [Fact]
    public void OneDistributionScoresNearZeroAndLargerShiftsScoreHigher()
    {
        // Two independent samples of N(0, I): the unbiased MMD^2 is 0 in expectation. (The same points on both sides
        // are not independent samples: shared points put k(x, x) into the cross term and bias the estimate down.)
        using var g = new Generator(2);
        using var x = randn([400, 16], generator: g);
        using var y = randn([400, 16], generator: g);
        var options = new KernelInceptionDistanceOptions(SubsetCount: 10, SubsetSize: 200);
        double Kid(Tensor other) => KernelInceptionDistance.Compute(x, other, options, g).Mean;
        using var shifted1 = y + 0.25f; using var shifted2 = y + 0.5f; using var shifted3 = y + 1f;
        double same = Kid(y), small = Kid(shifted1), medium = Kid(shifted2), large = Kid(shifted3);
        Assert.True(small < medium && medium < large, $"{small} < {medium} < {large}");
        Assert.True(Math.Abs(same) < 0.1 * small, $"same distribution: {same}, shift 0.25: {small}");
    }

    [Fact]
    public void SubsetSizeIsCappedAtTheSmallerSet()
    {
        using var g = new Generator(3);
        using var x = randn([30, 4], generator: g);
        using var y = randn([50, 4], generator: g);
        var result = KernelInceptionDistance.Compute(x, y, new KernelInceptionDistanceOptions(SubsetCount: 2), g);
        Assert.Equal(30, result.SubsetSize);
        Assert.Equal(2, result.PerSubset.Length);
    }

    [Fact]
    public void FeatureWidthMismatchIsAnError()
    {
        using var g = new Generator(4);
        using var x = zeros(5, 4); using var y = zeros(5, 3);
        var e = Assert.Throws<ArgumentException>(() => KernelInceptionDistance.Compute(x, y, new KernelInceptionDistanceOptions(), g));
        Assert.Contains("[5, 4] and [5, 3]", e.Message);
    }
}
