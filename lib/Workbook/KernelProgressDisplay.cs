using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Two outputs of the running notebook cell updated in place through the kernel: the progress line and the loss
/// chart. Like <see cref="KernelCancellation"/>, it uses Microsoft.DotNet.Interactive's kernel types and is created only inside a host
/// (<see cref="NotebookFormatters.InHost"/>), which supplies that assembly at run time.
/// </summary>
sealed class KernelProgressDisplay : IProgressView
{
    // A Plotly chart is heavier than a text line, and a headless host (dotnet-repl) keeps every update as an output:
    // the chart is redrawn at most every 30 s with at most 500 points (every k-th step).
    static readonly TimeSpan ChartInterval = TimeSpan.FromSeconds(30);
    const int ChartPoints = 500;

    readonly KernelInvocationContext context;
    readonly System.Diagnostics.Stopwatch sinceChart = new();
    DisplayedValue? line, chart;

    KernelProgressDisplay(KernelInvocationContext context) => this.context = context;

    /// <summary>A display in the cell that is running now, or null outside a cell (e.g. on a background thread).</summary>
    public static IProgressView? ForCurrentCell() =>
        KernelInvocationContext.Current is { } context ? new KernelProgressDisplay(context) : null;

    public void Show(ProgressSnapshot snapshot, Series lossCurve)
    {
        Update(ref line, snapshot.ToLine());
        if (chart is null || sinceChart.Elapsed >= ChartInterval) UpdateChart(lossCurve);
    }

    public void Finish(ProgressSnapshot snapshot, Series lossCurve)
    {
        Update(ref line, snapshot.ToLine());
        UpdateChart(lossCurve);
    }

    void UpdateChart(Series lossCurve)
    {
        int stride = (lossCurve.X.Count + ChartPoints - 1) / ChartPoints;
        var thinned = lossCurve with { X = Every(lossCurve.X, stride), Y = Every(lossCurve.Y, stride) };
        Update(ref chart, Charts.Lines([thinned], "Soft Score Matching loss (batch mean)", "step", "loss", logY: true));
        sinceChart.Restart();
    }

    static double[] Every(IReadOnlyList<double> values, int stride) =>
        stride <= 1 ? [.. values] : Enumerable.Range(0, (values.Count + stride - 1) / stride).Select(i => values[i * stride]).ToArray();

    void Update(ref DisplayedValue? displayed, object value)
    {
        if (displayed is null) displayed = context.Display(value);
        else displayed.Update(value);
    }
}
