using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public sealed class ChartDataTests
{
    [Fact]
    public void DecimationKeepsEachRunsExtremesInOrder()
    {
        // 10 points, 4 kept: runs [0, 5) and [5, 10); run 1's low is at 3, its high at 1; run 2's low at 9, high at 6.
        double[] y = [0, 9, 1, -5, 2, 3, 8, 4, 5, -1];
        var thinned = ChartData.Decimate(new Series("s", Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), y), maxPoints: 4);
        Assert.Equal([1.0, 3, 6, 9], thinned.X);
        Assert.Equal([9.0, -5, 8, -1], thinned.Y);
    }

    [Fact]
    public void ShortSeriesAreUnchangedAndNonFiniteValuesAreSkippedAsExtremes()
    {
        var shortSeries = new Series("s", [1.0, 2], [3.0, 4]);
        Assert.Same(shortSeries, ChartData.Decimate(shortSeries, maxPoints: 2));
        var withNaN = ChartData.Decimate(new Series("s", [0.0, 1, 2, 3], [double.NaN, 5, 1, double.NaN]), maxPoints: 2);
        Assert.Equal([1.0, 2], withNaN.X);
    }

    [Fact]
    public void DecimationRejectsMismatchedSeries()
    {
        var error = Assert.Throws<ArgumentException>(() => ChartData.Decimate(new Series("bad", [1.0, 2, 3], [1.0]), maxPoints: 2));
        Assert.Contains("3 x values but 1 y values", error.Message);
    }

    [Theory]
    [InlineData(3234.201171875, 7, 3234.201)]
    [InlineData(1234567.0, 7, 1234567.0)]
    [InlineData(-0.000123456, 4, -0.0001235)]
    [InlineData(0.0, 4, 0.0)]
    public void SignificantRoundsToDigits(double value, int digits, double expected) =>
        Assert.Equal(expected, ChartData.Significant(value, digits));

    [Fact]
    public void HistogramBinsCountEveryFiniteValueOnce()
    {
        var bins = HistogramBins.Compute([0.0, 0.1, 0.5, 0.99, 1.0, double.NaN, double.PositiveInfinity], bins: 2);
        Assert.Equal(0.0, bins.Start);
        Assert.Equal(0.5, bins.Width);
        Assert.Equal([2L, 3], bins.Counts);   // 1.0, the maximum, falls in the last bin
        Assert.Equal(2, bins.NonFinite);
        Assert.Equal([0.25, 0.75], bins.Centres);
        Assert.Equal(5, bins.Total);
    }

    [Fact]
    public void HistogramOfEqualValuesHasOneBinAroundThem()
    {
        var bins = HistogramBins.Compute([2.0, 2.0, 2.0]);
        Assert.Equal([3L], bins.Counts);
        Assert.Equal([2.0], bins.Centres);
        Assert.Empty(HistogramBins.Compute([]).Counts);
    }
}
