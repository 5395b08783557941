using System.Text;
using Plotly.NET;
using SoftDiffusion.Tools;
using SoftDiffusion.Workbook;
using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>
/// Every chart of the notebooks executed in the smoke profile draws in a real browser (Debian's chromium, headless,
/// offline): in a page built as a notebook host builds one (the outputs' HTML in order), in a page where the charts
/// come before the plotly.js output (a host rendering outputs as they scroll into view), and in the main job's HTML
/// page. A chart counts as drawn when plotly.js put an element of class "main-svg" in its div; any uncaught
/// JavaScript error fails the test.
/// </summary>
[Collection(ExecutedNotebooksCollection.Name)]
public class NotebookChartBrowserTests(ITestOutputHelper output)
{
    public static TheoryData<string> Notebooks() => ExecutedNotebooks.Names();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryChartDrawsWhereAHostShowsTheOutputs(string notebook)
    {
        var outputs = ExecutedNotebook.Outputs(ExecutedNotebooks.Succeeded(notebook).Output);
        AssertEveryChartDraws(notebook, "host", outputs, HostPage(outputs));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ChartsShownBeforePlotlyJsDrawWhenItArrives(string notebook)
    {
        var outputs = ExecutedNotebook.Outputs(ExecutedNotebooks.Succeeded(notebook).Output);
        var reordered = outputs.Where(o => o.IsChart).Concat(outputs.Where(o => o.IsPlotlySession)).ToList();
        AssertEveryChartDraws(notebook, "charts-first", outputs, HostPage(reordered));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void TheMainJobsHtmlPageDrawsEveryChartOffline(string notebook)
    {
        var outputs = ExecutedNotebook.Outputs(ExecutedNotebooks.Succeeded(notebook).Output);
        string page = ExecutedNotebooks.Page(notebook);
        Assert.True(File.Exists(page), $"Expected the exporter's page {page} beside the executed notebook.");
        string html = File.ReadAllText(page);
        Assert.Equal(1, Occurrences(html, "if (typeof window.Plotly === \"undefined\")"));   // plotly.js once
        AssertEveryChartDraws(notebook, "exported", outputs, html, page);
    }

    [Fact]
    public void AChartWithoutPlotlyJsIsReportedEmptyAndTheOldFormatterFailsWithAnError()
    {
        var chart = Charts.Lines([new Series("y", [1.0, 2, 3], [3.0, 1, 2])], "t", "x", "y");
        var alone = HeadlessChromium.Render(Write("no-plotly", Wrap(ChartHtml.Render(chart))));
        var charts = HeadlessChromium.Charts(alone.Dom);
        Assert.Single(charts);
        Assert.False(charts[0].Drawn, "A chart without plotly.js on the page must not count as drawn.");
        Assert.Contains("Waiting for plotly.js", alone.Dom);
        Assert.Empty(alone.Errors);

        var old = HeadlessChromium.Render(Write("toChartHTML", Wrap(GenericChart.toChartHTML(chart))));
        Assert.Contains(old.Errors, e => e.Contains("Plotly is not defined", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryKindOfChartDrawsWithPlotlyJsFromTheSession()
    {
        Series[] curves = [new("blur", [10.0, 20, 50, 100], [233.8, 224.6, 222.7, 213.5]), new("identity", [10.0, 20, 50, 100], [1126, double.NaN, 991.5, 526.5])];
        string[] charts =
        [
            ChartHtml.Render(Charts.Lines(curves, "log-log with a NaN", "NFE", "FID", logX: true, logY: true, markers: true)),
            ChartHtml.Render(Charts.Columns([("Naive", 176.8), ("Momentum", 213.5)], "columns", "sampler", "FID")),
            ChartHtml.Render(Charts.Histogram(Enumerable.Range(0, 10_000).Select(i => Math.Sin(i)), "histogram", "value")),
            ChartHtml.Render(Charts.Heatmap([[0.0, 1], [1, 0]], "heat map", "j", "i")),
        ];
        var rendered = HeadlessChromium.Render(Write("every-kind", Wrap(PlotlyJs.SessionHtml() + string.Concat(charts))));
        Assert.Empty(rendered.Errors);
        var drawn = HeadlessChromium.Charts(rendered.Dom);
        Assert.Equal(charts.Length, drawn.Count);
        Assert.All(drawn, c => Assert.True(c.Drawn, $"Chart {c.Id} has no plot (no class=\"main-svg\")."));
    }

    void AssertEveryChartDraws(string notebook, string kind, IReadOnlyList<NotebookOutput> outputs, string html, string? page = null)
    {
        int expected = outputs.Count(o => o.IsChart);
        Assert.True(expected > 0, $"Expected {notebook} to show at least one chart in the smoke profile.");
        page ??= Write($"{Path.GetFileNameWithoutExtension(notebook)}.{kind}", html);
        var rendered = HeadlessChromium.Render(page);
        var charts = HeadlessChromium.Charts(rendered.Dom);
        output.WriteLine($"{notebook} ({kind} page, {new FileInfo(page).Length:N0} bytes): {charts.Count(c => c.Drawn)} of {expected} charts drawn, {rendered.Errors.Count} JavaScript errors");

        Assert.True(rendered.Errors.Count == 0, $"JavaScript errors rendering {page}:\n{string.Join("\n", rendered.Errors)}");
        Assert.True(charts.Count == expected, $"Expected {expected} chart divs in the DOM of {page}, found {charts.Count}.");
        var empty = charts.Where(c => !c.Drawn).Select(c => $"- {c.Id} ({outputs.First(o => o.IsChart && o.Html!.Contains(c.Id, StringComparison.Ordinal)).Where})").ToList();
        Assert.True(empty.Count == 0, $"Charts of {notebook} without a plot (no class=\"main-svg\") in {page}:\n{string.Join("\n", empty)}");
    }

    /// <summary>A page as a notebook host builds one: each output's HTML in its own div, in the given order.</summary>
    static string HostPage(IEnumerable<NotebookOutput> outputs) =>
        Wrap(string.Concat(outputs.Select(o => $"<div class=\"output\">{NotebookHtmlExporter.OutputToHtml(o)}</div>\n")));

    static string Wrap(string body) => $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{body}</body></html>\n";

    static string Write(string name, string html)
    {
        string folder = Path.Combine(ExecutedNotebooks.Folder, "browser");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name + ".html");
        File.WriteAllText(path, html, new UTF8Encoding(false));
        return path;
    }

    static int Occurrences(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
