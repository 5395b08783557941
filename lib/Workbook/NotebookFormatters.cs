using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive;
using Plotly.NET;
using SoftDiffusion.Experiments;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Tells the notebook host (dotnet-interactive in VS Code, or dotnet-repl) how to show the workbook's objects:
/// image grids as image/png, Plotly.NET charts as text/html (<see cref="ChartHtml"/>), and shows plotly.js once per
/// session (<see cref="PlotlyJs.SessionHtml"/>). Only called inside a host, which supplies the
/// Microsoft.DotNet.Interactive assemblies at run time.
/// </summary>
static class NotebookFormatters
{
    /// <summary>True when the process is a .NET Interactive kernel.</summary>
    public static bool InHost => AppDomain.CurrentDomain.GetAssemblies()
        .Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting");

    /// <summary>Registers the formatters and shows plotly.js in the running cell (called by <see cref="Workbook.Init"/>,
    /// so once per session).</summary>
    public static void Register()
    {
        Formatter.Register<ImageGrid>((grid, writer) => writer.Write(Convert.ToBase64String(grid.Png)), "image/png");
        Formatter.SetPreferredMimeTypesFor(typeof(ImageGrid), "image/png");
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml.Render(chart)), "text/html");
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), "text/html");
        Formatter.Register<PlotlySession>((session, writer) => writer.Write(session.Html), "text/html");
        Formatter.SetPreferredMimeTypesFor(typeof(PlotlySession), "text/html");
        ShowPlotlyJs();
    }

    /// <summary>
    /// Shows plotly.js in the running cell (<see cref="Workbook.Init"/>'s): the one output of the session that carries
    /// it. Does nothing outside a cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ShowPlotlyJs() => KernelInvocationContext.Current?.Display(new PlotlySession(PlotlyJs.SessionHtml()));

    /// <summary>The session output's HTML, as a type of its own so the host formats it as raw text/html.</summary>
    sealed record PlotlySession(string Html);
}
