using System.Text;

namespace SoftDiffusion.Workbook;

/// <summary>
/// plotly.js as the Plotly.NET package embeds it (the manifest resource <c>Plotly.NET.plotly-2.28.0.min.js</c>), and
/// the once-per-session notebook output that defines <c>window.Plotly</c> from it, offline.
/// <para>
/// Design (environment.md, "Charts"): <see cref="Workbook.Init"/> displays <see cref="SessionHtml"/> once per
/// notebook session; every chart output (<see cref="ChartHtml"/>) draws at once when <c>window.Plotly</c> exists and
/// otherwise waits for the <see cref="ReadyEvent"/> that this output fires, so charts rendered before it (VS Code renders
/// outputs as they scroll into view) draw as soon as it arrives.
/// </para>
/// </summary>
public static class PlotlyJs
{
    /// <summary>The plotly.js version Plotly.NET 6.0.0 embeds (and its charts are written for).</summary>
    public const string Version = "2.28.0";

    /// <summary>The name of the manifest resource in Plotly.NET.dll.</summary>
    public const string ResourceName = "Plotly.NET.plotly-" + Version + ".min.js";

    /// <summary>The official CDN copy of the same version (an optional fallback, see <see cref="ChartHtml.CdnFallback"/>).</summary>
    public const string CdnUrl = "https://cdn.plot.ly/plotly-" + Version + ".min.js";

    /// <summary>The window event fired when <c>window.Plotly</c> has been defined.</summary>
    public const string ReadyEvent = "soft-diffusion-plotly-ready";

    /// <summary>The attribute that marks the session output (tests and the HTML export find it by this).</summary>
    public const string SessionMarker = "data-soft-diffusion-plotly-js";

    static readonly Lazy<string> source = new(ReadSource);

    /// <summary>The minified plotly.js source (about 3.6 MB), read once from Plotly.NET.dll.</summary>
    public static string Source => source.Value;

    /// <summary>
    /// A <c>&lt;script&gt;</c> that defines <c>window.Plotly</c> unless it exists (so it is evaluated once per page)
    /// and then fires <see cref="ReadyEvent"/>. <c>define</c>, <c>module</c> and <c>exports</c> are hidden from
    /// plotly.js's loader, so it sets <c>window.Plotly</c> even in hosts that load require.js (classic Jupyter).
    /// </summary>
    public static string InlineScript()
    {
        var html = new StringBuilder(Source.Length + 512);
        html.Append("<script type=\"text/javascript\">\n");
        html.Append("/* plotly.js ").Append(Version).Append(" (MIT licence, Plotly, Inc.), from the Plotly.NET package; defined once per page. */\n");
        html.Append("if (typeof window.Plotly === \"undefined\") {\n(function (define, module, exports) {\n");
        html.Append(Source);
        html.Append("\n}).call(window);\n}\n");
        html.Append("window.dispatchEvent(new Event(\"").Append(ReadyEvent).Append("\"));\n");
        html.Append("</script>");
        return html.ToString();
    }

    /// <summary>
    /// The output <see cref="Workbook.Init"/> shows once per notebook session: one line of text and
    /// <see cref="InlineScript"/>. It is the only output of a notebook that carries plotly.js.
    /// </summary>
    public static string SessionHtml() =>
        $"<div {SessionMarker}=\"{Version}\" style=\"font-size:smaller;color:#777\">" +
        $"plotly.js {Version} for this notebook's charts (embedded once per session, works offline)</div>\n" +
        InlineScript();

    /// <summary>True when <paramref name="html"/> is the session output (<see cref="SessionHtml"/>).</summary>
    public static bool IsSessionHtml(string html) => html.Contains(SessionMarker + "=", StringComparison.Ordinal);

    static string ReadSource()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName) ?? throw new InvalidOperationException(
            $"Expected the manifest resource '{ResourceName}' in {assembly.GetName().Name} {assembly.GetName().Version}; it has: " +
            string.Join(", ", assembly.GetManifestResourceNames().Where(n => n.EndsWith(".js", StringComparison.Ordinal))) +
            ". A different Plotly.NET version embeds a different plotly.js: update PlotlyJs.Version.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string text = reader.ReadToEnd();
        if (text.Contains("</script", StringComparison.OrdinalIgnoreCase) || text.Contains("<!--", StringComparison.Ordinal))
            throw new InvalidOperationException($"{ResourceName} contains '</script' or '<!--', which would end an inline <script> early.");
        return text;
    }
}
