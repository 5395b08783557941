using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Tells the notebook host (dotnet-interactive in VS Code, or dotnet-repl) how to show the workbook's objects:
/// image grids as image/png, Plotly.NET charts as text/html. Only called inside a host, which supplies the
/// Microsoft.DotNet.Interactive.Formatting assembly at run time.
/// </summary>
static class NotebookFormatters
{
    /// <summary>True when the process is a .NET Interactive kernel.</summary>
    public static bool InHost => AppDomain.CurrentDomain.GetAssemblies()
        .Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting");

    public static void Register()
    {
        Formatter.Register<ImageGrid>((grid, writer) => writer.Write(Convert.ToBase64String(grid.Png)), "image/png");
        Formatter.SetPreferredMimeTypesFor(typeof(ImageGrid), "image/png");
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(GenericChart.toChartHTML(chart)), "text/html");
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), "text/html");
    }
}
