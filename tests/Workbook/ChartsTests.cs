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
}
