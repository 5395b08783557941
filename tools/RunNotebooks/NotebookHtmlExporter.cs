using System.Net;
using System.Text.RegularExpressions;
using System.Text;
using Markdig;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tools;

/// <summary>
/// Writes an executed notebook as one self-contained HTML page that any browser shows without a notebook host or a
/// network: markdown cells as text, code cells folded, text outputs, images (inline PNG) and interactive charts, with
/// plotly.js included once in the page's head (the notebook's own once-per-session plotly.js output is left out).
/// </summary>
public static partial class NotebookHtmlExporter
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>Writes <paramref name="executedNotebook"/>'s page beside it (same name, .html) and returns its path.</summary>
    /// <param name="executedNotebook">An executed .ipynb (with outputs).</param>
    /// <param name="note">A line for the page header, e.g. the profile and the date.</param>
    public static string Export(string executedNotebook, string note = "")
    {
        string page = Path.ChangeExtension(Path.GetFullPath(executedNotebook), ".html");
        File.WriteAllText(page, ToHtml(ExecutedNotebook.Cells(executedNotebook), Path.GetFileName(executedNotebook), note), new UTF8Encoding(false));
        return page;
    }

    /// <summary>The page of <paramref name="cells"/>.</summary>
    public static string ToHtml(IReadOnlyList<NotebookCell> cells, string title, string note = "")
    {
        bool charts = cells.SelectMany(c => c.Outputs).Any(o => o.IsChart);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n").Append(Style);
        if (charts) html.Append(PlotlyJs.InlineScript()).Append('\n');
        html.Append("</head>\n<body>\n<header class=\"page\">Executed notebook <b>").Append(Encode(title)).Append("</b>")
            .Append(note.Length > 0 ? " · " + Encode(note) : "")
            .Append(" · written by tools/RunNotebooks")
            .Append(charts ? $" · plotly.js {PlotlyJs.Version} included (works offline)" : "")
            .Append("</header>\n");
        foreach (var cell in cells) AppendCell(html, cell);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    static void AppendCell(StringBuilder html, NotebookCell cell)
    {
        html.Append("<section class=\"cell ").Append(Encode(cell.Kind)).Append("\" id=\"cell-").Append(cell.Index).Append("\">\n");
        if (cell.Kind == "markdown") html.Append(MarkdownToHtml(cell.Source));
        else
        {
            if (cell.Source.Trim().Length > 0)
                html.Append("<details class=\"code\"><summary>code, cell ").Append(cell.Index).Append("</summary><pre><code>")
                    .Append(Encode(cell.Source)).Append("</code></pre></details>\n");
            foreach (var output in cell.Outputs.Where(o => !o.IsPlotlySession))
                html.Append("<div class=\"output\">").Append(OutputToHtml(output)).Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>The HTML of one output, choosing the richest MIME type the page can show.</summary>
    public static string OutputToHtml(NotebookOutput output)
    {
        if (output.OutputType == "stream") return $"<pre class=\"stream\">{Encode(output.Text)}</pre>";
        if (output.OutputType == "error") return $"<pre class=\"error\">{Encode(output.Text)}</pre>";
        if (output.Html is { } html) return html;
        if (output.Data.TryGetValue("image/png", out var png)) return $"<img alt=\"{Encode(output.Where)}\" src=\"data:image/png;base64,{png.Trim()}\">";
        if (output.Data.TryGetValue("image/svg+xml", out var svg)) return svg;
        if (output.Data.TryGetValue("text/markdown", out var markdown)) return MarkdownToHtml(markdown);
        if (output.Data.TryGetValue("text/plain", out var text)) return $"<pre>{Encode(text)}</pre>";
        return $"<pre class=\"error\">({Encode(output.Where)}: no MIME type this page can show)</pre>";
    }

    /// <summary>Markdown as HTML; TeX ($...$, $$...$$) is written as readable text (<see cref="TexText"/>; no MathJax offline).</summary>
    public static string MarkdownToHtml(string markdown) =>
        MathSpan().Replace(Markdig.Markdown.ToHtml(markdown, Markdown), m => $"<{m.Groups[1].Value} class=\"math\">{TexText.ToHtml(m.Groups[2].Value)}</{m.Groups[1].Value}>");

    // Markdig's math output: <span class="math">\(...\)</span> and <div class="math">\n\[...\]</div>.
    [GeneratedRegex(@"<(span|div) class=""math"">\s*\\[(\[](.*?)\\[)\]]\s*</\1>", RegexOptions.Singleline)]
    private static partial Regex MathSpan();

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    const string Style = """
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1000px; margin: 1.5em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        header.page { color: #666; font-size: smaller; border-bottom: 1px solid #ddd; padding-bottom: .5em; }
        .cell { margin: 1em 0; }
        details.code > summary { cursor: pointer; color: #777; font-size: smaller; }
        pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: 13px; }
        pre.error { background: #fff0f0; color: #a00; }
        .output img { max-width: 100%; }
        .math { font-family: "Times New Roman", serif; font-style: italic; }
        div.math { text-align: center; margin: .6em 0; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 6px; }
        </style>

        """;
}
