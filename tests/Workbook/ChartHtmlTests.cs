using System.Text;
using Plotly.NET;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public sealed class ChartHtmlTests
{
    [Fact]
    public void PlotlyJsIsReadFromThePlotlyNetPackage()
    {
        string source = PlotlyJs.Source;
        Assert.StartsWith("/**\n* plotly.js v" + PlotlyJs.Version, source);
        Assert.InRange(Encoding.UTF8.GetByteCount(source), 3_000_000, 4_500_000);
    }

    [Fact]
    public void TheSessionOutputDefinesPlotlyOnceAndAnnouncesIt()
    {
        string html = PlotlyJs.SessionHtml();
        Assert.True(PlotlyJs.IsSessionHtml(html));
        Assert.Contains("if (typeof window.Plotly === \"undefined\")", html);
        Assert.Contains("(function (define, module, exports) {", html);   // plotly.js sets window.Plotly even where require.js is loaded
        Assert.Contains($"window.dispatchEvent(new Event(\"{PlotlyJs.ReadyEvent}\"))", html);
        Assert.Equal(1, html.Split("<script").Length - 1);
        Assert.InRange(html.Length - PlotlyJs.Source.Length, 1, 2_000);
    }

    [Fact]
    public void AChartOutputDrawsWithPlotlyOrWaitsForIt()
    {
        string html = ChartHtml.Render(Charts.Columns([("a", 1)], "t", "x", "y"));
        Assert.Contains("var cdn = true;", html);   // the default
        Assert.False(PlotlyJs.IsSessionHtml(html));
        Assert.Contains($"class=\"{ChartHtml.ChartClass}\"", html);
        Assert.Contains("if (window.Plotly) { draw(); return; }", html);
        Assert.Contains($"window.addEventListener(\"{PlotlyJs.ReadyEvent}\", draw)", html);
        Assert.DoesNotContain("Plotly.newPlot(\"", html);   // never calls Plotly before it exists
        Assert.True(html.Length < 20_000, $"Expected a chart output of a few KB, got {html.Length:N0} characters.");
    }

    [Fact]
    public void TitlesCannotEndTheScriptEarly()
    {
        string html = ChartHtml.Render(Charts.Columns([("</script><b>", 1)], "a </script> title", "x", "y"));
        int scripts = html.Split("</script>").Length - 1;
        Assert.Equal(1, scripts);
        Assert.Contains("\\u003c/script>", html);
    }

    [Fact]
    public void RenderRejectsWhatIsNotAFigure()
    {
        var error = Assert.Throws<ArgumentException>(() => ChartHtml.Render("[1, 2]", "id"));
        Assert.Contains("Expected a Plotly figure as a JSON object, got '[1, 2]'", error.Message);
    }

    [Fact]
    public void TheCdnFallbackCanBeSwitchedOff()
    {
        bool before = ChartHtml.CdnFallback;
        try
        {
            ChartHtml.CdnFallback = false;
            string html = ChartHtml.Render(GenericChart.toJson(Charts.Columns([("a", 1)], "t", "x", "y")), "c1");
            Assert.Contains("var cdn = false;", html);
        }
        finally { ChartHtml.CdnFallback = before; }
    }
}
