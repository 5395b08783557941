using Plotly.NET;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public sealed class ChartsTests
{
    [Fact]
    public void ColumnsPutTheLabelsOnACategoricalAxis()
    {
        string html = GenericChart.toChartHTML(Charts.Columns([("blur", 12.5), ("identity", 40.25)], "FID of each run", "run", "FID"));
        Assert.Contains("\"type\":\"bar\"", html);
        Assert.Contains("\"x\":[\"blur\",\"identity\"]", html);
        Assert.Contains("\"y\":[12.5,40.25]", html);
        Assert.Contains("\"type\":\"category\"", html);   // strings on a linear axis would not be drawn
        Assert.Contains("FID of each run", html);
    }

    [Fact]
    public void AHistogramCarriesBinCountsNotTheValues()
    {
        var values = Enumerable.Range(0, 100_000).Select(i => (i % 1000) / 999.0).ToArray();   // 100 of each of 1000 values in [0, 1]
        string json = GenericChart.toJson(Charts.Histogram(values, "h", "value", bins: 10));
        Assert.Contains("\"type\":\"bar\"", json);
        Assert.Contains("\"y\":[10000.0,10000.0,10000.0,10000.0,10000.0,10000.0,10000.0,10000.0,10000.0,10000.0]", json);
        Assert.Contains("\"width\":0.1", json);   // columns as wide as the bins
        Assert.True(json.Length < 12_000, $"Expected a small chart for 100,000 values in 10 bins, got {json.Length:N0} characters.");
    }

    [Fact]
    public void LongSeriesAreDecimatedAndRounded()
    {
        var x = Enumerable.Range(0, 100_000).Select(i => (double)i).ToArray();
        var y = x.Select(v => Math.Sin(v / 1000) + 1.0 / 3).ToArray();
        string json = GenericChart.toJson(Charts.Lines([new Series("sine", x, y)], "t", "x", "y"));
        Assert.True(json.Length < 100_000, $"Expected a decimated series (at most {ChartData.MaxPointsPerSeries} points), got {json.Length:N0} characters.");
        Assert.Contains("1.333333", json);           // the peak survives decimation, rounded to 7 significant digits
        Assert.DoesNotContain("1.33333333", json);
    }

    [Fact]
    public void HeatmapValuesAreRoundedToFourDigits()
    {
        string json = GenericChart.toJson(Charts.Heatmap([[1.0 / 3, 2.0 / 3], [12345.678, -0.000123456]], "h", "x", "y"));
        Assert.Contains("[0.3333,0.6667]", json);
        Assert.Contains("[12350.0,-0.0001235]", json);
    }
}
