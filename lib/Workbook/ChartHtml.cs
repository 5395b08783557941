using System.Text;
using Plotly.NET;

namespace SoftDiffusion.Workbook;

/// <summary>
/// The text/html a chart shows as in a notebook (and in the HTML pages of tools/RunNotebooks): a div and a small
/// script that draws the chart with <c>window.Plotly</c>. The script draws at once when plotly.js is loaded, and
/// otherwise waits for <see cref="PlotlyJs.ReadyEvent"/> (fired by the session output of <see cref="PlotlyJs"/>), so
/// each output renders on its own whatever order a host renders outputs in. After
/// <see cref="WaitMilliseconds"/> without plotly.js it says where plotly.js comes from and, when
/// <see cref="CdnFallback"/> is on, loads it from <see cref="PlotlyJs.CdnUrl"/>.
/// </summary>
public static class ChartHtml
{
    /// <summary>The class of every chart div (tests and the HTML export find charts by it).</summary>
    public const string ChartClass = "soft-diffusion-chart";

    /// <summary>How long a chart waits for the session's plotly.js before it explains and tries the CDN.</summary>
    public const int WaitMilliseconds = 3000;

    /// <summary>
    /// When a chart has waited <see cref="WaitMilliseconds"/> for plotly.js, load it from the CDN (on by default; the
    /// embedded copy needs no network, the CDN only helps a chart that a host renders without the session output,
    /// e.g. a reopened notebook scrolled past its Init cell). Applies to charts formatted after it is set.
    /// </summary>
    public static bool CdnFallback { get; set; } = true;

    /// <summary>The text/html of <paramref name="chart"/> (about 8 KB plus its data).</summary>
    public static string Render(GenericChart chart) => Render(GenericChart.toJson(chart), "sd-chart-" + Guid.NewGuid().ToString("N"));

    /// <summary>The text/html of a figure given as Plotly JSON ({"data", "layout", "config"}) in a div with <paramref name="id"/>.</summary>
    public static string Render(string figureJson, string id)
    {
        if (string.IsNullOrWhiteSpace(figureJson) || figureJson.TrimStart()[0] != '{')
            throw new ArgumentException($"Expected a Plotly figure as a JSON object, got '{Shorten(figureJson)}'.", nameof(figureJson));
        var html = new StringBuilder(figureJson.Length + 2048);
        html.Append("<div id=\"").Append(id).Append("\" class=\"").Append(ChartClass).Append("\">")
            .Append("(a plotly.js chart: it needs a host that runs the output's script)</div>\n");
        html.Append("<script type=\"text/javascript\">\n(function () {\n");
        html.Append("var id = \"").Append(id).Append("\";\n");
        html.Append("var figure = ").Append(ScriptSafe(figureJson)).Append(";\n");
        html.Append("var cdn = ").Append(CdnFallback ? "true" : "false").Append(";\n");
        html.Append(Loader);
        html.Append("})();\n</script>");
        return html.ToString();
    }

    /// <summary>JSON text made safe inside a &lt;script&gt; element: every '&lt;' is written as \u003c.</summary>
    public static string ScriptSafe(string json) => json.Replace("<", "\\u003c", StringComparison.Ordinal);

    static string Shorten(string? text) => text is null ? "null" : text.Length <= 40 ? text : text[..40] + "...";

    static string Loader => $$"""
        function draw() {
          var el = document.getElementById(id);
          if (!el || !window.Plotly || el.getAttribute("data-drawn")) return;
          el.setAttribute("data-drawn", "true");
          el.textContent = "";
          window.Plotly.newPlot(el, figure.data, figure.layout, figure.config);
        }
        if (window.Plotly) { draw(); return; }
        window.addEventListener("{{PlotlyJs.ReadyEvent}}", draw);
        setTimeout(function () {
          if (window.Plotly) { draw(); return; }
          var el = document.getElementById(id);
          if (el) el.textContent = "Waiting for plotly.js: it comes with the output of this notebook's Workbook.Init() cell (run that cell, or scroll to it)" +
            (cdn ? "; meanwhile trying {{PlotlyJs.CdnUrl}}" : "") + ".";
          if (!cdn || window.softDiffusionPlotlyCdn) return;
          window.softDiffusionPlotlyCdn = true;
          var amd = window.define && window.define.amd ? window.define : null;
          if (amd) window.define = undefined;
          var script = document.createElement("script");
          script.src = "{{PlotlyJs.CdnUrl}}";
          script.onload = script.onerror = function () {
            if (amd) window.define = amd;
            if (window.Plotly) window.dispatchEvent(new Event("{{PlotlyJs.ReadyEvent}}"));
          };
          document.head.appendChild(script);
        }, {{WaitMilliseconds}});

        """;
}
