using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;
using Plotly.NET;

namespace SoftDiffusion.Workbook;

/// <summary>One named series of a line or scatter chart.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates (same length as <paramref name="X"/>).</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// The charts the notebooks draw, built with Plotly.NET. Notebook cells call these instead of Plotly.NET's
/// F#-flavoured extension methods, which the notebook hosts cannot compile against (FSharp.Core version; see
/// environment.md). Each returns a chart that the notebook shows inline (<see cref="ChartHtml"/>). Charts carry
/// summaries, not raw data: histograms are binned here, long series decimated, numbers rounded (<see cref="ChartData"/>).
/// </summary>
public static class Charts
{
    /// <summary>A histogram of <paramref name="values"/>: binned here (<see cref="HistogramBins.Compute"/>), drawn as counts.</summary>
    public static GenericChart Histogram(IEnumerable<double> values, string title, string xTitle, string yTitle = "count", int bins = 64) =>
        Histogram(HistogramBins.Compute(values, bins), title, xTitle, yTitle);

    /// <summary>A histogram of counts that were binned already: one column per bin, as wide as the bin.</summary>
    public static GenericChart Histogram(HistogramBins bins, string title, string xTitle, string yTitle = "count")
    {
        var column = CSharpChart.Column<double, double, string>(
            values: bins.Counts.Select(c => (double)c).ToArray(), Keys: ChartData.Significant(bins.Centres, ChartData.SeriesDigits),
            Name: xTitle, Width: ChartData.Significant(bins.Width, ChartData.SeriesDigits));
        return Style(column, title, xTitle, yTitle);
    }

    /// <summary>Lines (with markers when <paramref name="markers"/>) for each series; a series longer than
    /// <see cref="ChartData.MaxPointsPerSeries"/> points is decimated (<see cref="ChartData.Decimate"/>).</summary>
    public static GenericChart Lines(IEnumerable<Series> series, string title, string xTitle, string yTitle,
        bool logX = false, bool logY = false, bool markers = false)
    {
        var traces = series.Select(s => ChartData.Decimate(s)).Select(s => CSharpChart.Line<double, double, string>(
            x: ChartData.Significant(s.X, ChartData.SeriesDigits), y: ChartData.Significant(s.Y, ChartData.SeriesDigits), Name: s.Name, ShowMarkers: markers));
        var chart = CSharpChart.Combine(traces);
        return Style(chart, title, xTitle, yTitle, logX, logY);
    }

    /// <summary>One column per (label, value) pair, e.g. the FID of each ablation.</summary>
    public static GenericChart Columns(IEnumerable<(string Label, double Value)> columns, string title, string xTitle, string yTitle)
    {
        var list = columns.ToList();
        return Style(CSharpChart.Column<double, string, string>(values: ChartData.Significant(list.Select(c => c.Value), ChartData.SeriesDigits), Keys: list.Select(c => c.Label).ToArray(), Name: yTitle),
            title, xTitle, yTitle, categoricalX: true);
    }

    /// <summary>A heat map of a matrix z[row][column] (e.g. a distance matrix or a DCT spectrum), values rounded to
    /// <see cref="ChartData.HeatmapDigits"/> significant digits.</summary>
    public static GenericChart Heatmap(double[][] z, string title, string xTitle, string yTitle) =>
        Style(CSharpChart.Heatmap<double, int, int, string>(zData: z.Select(row => ChartData.Significant(row, ChartData.HeatmapDigits)).ToArray()), title, xTitle, yTitle);

    static GenericChart Style(GenericChart chart, string title, string xTitle, string yTitle, bool logX = false, bool logY = false,
        bool categoricalX = false) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle,
                AxisType: categoricalX ? StyleParam.AxisType.Category : logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
}
