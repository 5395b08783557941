using SoftDiffusion.Tools;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Notebooks;

public sealed class NotebookHtmlExporterTests
{
    static NotebookOutput Display(int cell, string mime, string content) =>
        new(cell, 0, "display_data", new Dictionary<string, string> { [mime] = content }, "");

    static readonly string Chart = ChartHtml.Render(Charts.Columns([("a", 1)], "t", "x", "y"));

    static IReadOnlyList<NotebookCell> Cells() =>
    [
        new(0, "markdown", "# Title\n\nThe process $x_t = C_t x_0 + \\sigma_t \\eta$ and a | table |\n\n| a | b |\n| - | - |\n| 1 | 2 |", []),
        new(1, "code", "var wb = Workbook.Init();", [Display(1, "text/html", PlotlyJs.SessionHtml()), new(1, 1, "stream", new Dictionary<string, string>(), "profile smoke <cpu>\n")]),
        new(2, "code", "Charts.Columns(...)", [Display(2, "text/html", Chart), Display(2, "text/html", Chart)]),
        new(3, "code", "grid", [Display(3, "image/png", "iVBORw0KGgo=")]),
        new(4, "code", "throw", [new(4, 0, "error", new Dictionary<string, string>(), "Exception: boom")]),
    ];

    [Fact]
    public void ThePageCarriesPlotlyJsOnceInItsHeadAndNotTheSessionOutput()
    {
        string html = NotebookHtmlExporter.ToHtml(Cells(), "00_tour.ipynb", "smoke profile");
        int head = html.IndexOf("</head>", StringComparison.Ordinal);
        Assert.Equal(1, html.Split("if (typeof window.Plotly === \"undefined\")").Length - 1);
        Assert.True(html.IndexOf("if (typeof window.Plotly", StringComparison.Ordinal) < head, "plotly.js belongs in the head, before any chart.");
        Assert.DoesNotContain(PlotlyJs.SessionMarker, html);
        Assert.Equal(2, html.Split($"class=\"{ChartHtml.ChartClass}\"").Length - 1);
    }

    [Fact]
    public void ThePageShowsTextImagesErrorsAndFoldedCode()
    {
        string html = NotebookHtmlExporter.ToHtml(Cells(), "00_tour.ipynb", "smoke profile");
        Assert.Contains("<h1 id=\"title\">Title</h1>", html);
        Assert.Contains("<table>", html);
        Assert.Contains("<pre class=\"stream\">profile smoke &lt;cpu&gt;\n</pre>", html);
        Assert.Contains("<img alt=\"cell 3, output 0 (display_data, image/png)\" src=\"data:image/png;base64,iVBORw0KGgo=\">", html);
        Assert.Contains("<pre class=\"error\">Exception: boom</pre>", html);
        Assert.Contains("<details class=\"code\"><summary>code, cell 1</summary><pre><code>var wb = Workbook.Init();</code></pre></details>", html);
        Assert.Contains("<span class=\"math\">x<sub>t</sub> = C<sub>t</sub> x<sub>0</sub> + σ<sub>t</sub> η</span>", html);
    }

    [Fact]
    public void APageWithoutChartsLeavesPlotlyJsOut()
    {
        string html = NotebookHtmlExporter.ToHtml([new(0, "markdown", "text", [])], "x.ipynb");
        Assert.DoesNotContain("window.Plotly", html);
        Assert.True(html.Length < 5_000, $"Expected a small page, got {html.Length:N0} characters.");
    }

    [Theory]
    [InlineData(@"\hat x_0 = \phi(x_t, t) + x_t", "x\u0302<sub>0</sub> = φ(x<sub>t</sub>, t) + x<sub>t</sub>")]
    [InlineData(@"\eta \sim \mathcal N(0, I)", "η ∼ 𝒩(0, I)")]
    [InlineData(@"\sigma_{t-\Delta t}^2/\sigma_t^2", "σ<sub>t-Δ t</sub><sup>2</sup>/σ<sub>t</sub><sup>2</sup>")]
    [InlineData(@"\frac{a}{b} \le \lVert x \rVert", "(a)/(b) ≤ ‖ x ‖")]
    [InlineData(@"\mathrm{FID}\ \text{ok}", "FID ok")]
    public void TexBecomesReadableText(string tex, string expected) => Assert.Equal(expected, TexText.ToHtml(tex));
}
