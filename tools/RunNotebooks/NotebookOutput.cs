using System.Text;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tools;

/// <summary>
/// One output of an executed notebook: a stream (stdout/stderr), a display or result (a bundle of MIME types), or an
/// error.
/// </summary>
/// <param name="Cell">The cell's index in the notebook (0-based, markdown cells counted).</param>
/// <param name="Index">The output's index within its cell (0-based).</param>
/// <param name="OutputType">"stream", "display_data", "execute_result" or "error".</param>
/// <param name="Data">The MIME bundle (empty for streams and errors).</param>
/// <param name="Text">A stream's text, or an error's name, value and traceback.</param>
public sealed record NotebookOutput(int Cell, int Index, string OutputType, IReadOnlyDictionary<string, string> Data, string Text)
{
    /// <summary>The UTF-8 size of everything the output stores: every MIME type's content (PNGs as their base64 text) and its text.</summary>
    public long Bytes => Data.Values.Sum(v => (long)Encoding.UTF8.GetByteCount(v)) + Encoding.UTF8.GetByteCount(Text);

    /// <summary>The text/html content, or null.</summary>
    public string? Html => Data.TryGetValue("text/html", out var html) ? html : null;

    /// <summary>True for a chart output (<see cref="ChartHtml"/>).</summary>
    public bool IsChart => Html?.Contains($"class=\"{ChartHtml.ChartClass}\"", StringComparison.Ordinal) == true;

    /// <summary>True for the once-per-session plotly.js output (<see cref="PlotlyJs.SessionHtml"/>).</summary>
    public bool IsPlotlySession => Html is { } html && PlotlyJs.IsSessionHtml(html);

    /// <summary>Where the output is, for messages: "cell 6, output 0 (display_data, text/html)".</summary>
    public string Where => $"cell {Cell}, output {Index} ({OutputType}{(Data.Count > 0 ? ", " + string.Join(" + ", Data.Keys) : "")})";
}
