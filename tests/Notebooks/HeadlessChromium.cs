using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>What a page looked like after its scripts ran.</summary>
/// <param name="Page">The page rendered.</param>
/// <param name="Dom">The serialised DOM (chromium --dump-dom).</param>
/// <param name="Errors">Uncaught JavaScript errors chromium logged (console lines with "Uncaught").</param>
/// <param name="Log">Everything chromium wrote to stderr.</param>
public sealed record RenderedPage(string Page, string Dom, IReadOnlyList<string> Errors, string Log);

/// <summary>
/// Debian's chromium, headless, offline (every host name fails to resolve, so a CDN cannot rescue a page):
/// renders a local HTML file and returns the DOM after its scripts ran, with the JavaScript errors it logged.
/// </summary>
public static partial class HeadlessChromium
{
    /// <summary>The chromium executable: $CHROMIUM, else /usr/bin/chromium.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Fails with what to install when chromium is missing.</summary>
    public static void EnsureInstalled()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException(
                $"The browser tests need Debian's chromium at {Executable} (or set CHROMIUM): apt-get install -y --no-install-recommends chromium (.ci/run does this).");
    }

    /// <summary>Renders <paramref name="page"/> with a virtual time budget of <paramref name="virtualMilliseconds"/>.</summary>
    public static RenderedPage Render(string page, int virtualMilliseconds = 8000) => Run(page, virtualMilliseconds, ["--dump-dom"]);

    /// <summary>Saves a PNG of the top <paramref name="width"/> × <paramref name="height"/> pixels of <paramref name="page"/>.</summary>
    public static RenderedPage Screenshot(string page, string png, int width, int height) =>
        Run(page, 8000, [$"--screenshot={Path.GetFullPath(png)}", $"--window-size={width},{height}", "--hide-scrollbars"]);

    static RenderedPage Run(string page, int virtualMilliseconds, IEnumerable<string> action)
    {
        EnsureInstalled();
        string profile = Directory.CreateTempSubdirectory("sd-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
                     {
                         "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         $"--user-data-dir={profile}", "--enable-logging=stderr", "--host-resolver-rules=MAP * ~NOTFOUND",
                         $"--virtual-time-budget={virtualMilliseconds}",
                     }.Concat(action).Append(new Uri(Path.GetFullPath(page)).AbsoluteUri))
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var dom = process.StandardOutput.ReadToEndAsync();
            var log = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish rendering {page} within 3 minutes.");
            }
            process.WaitForExit();
            var errors = log.Result.Split('\n').Where(l => l.Contains("Uncaught", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
            return new RenderedPage(page, dom.Result, errors, log.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { /* chromium may still hold a lock file */ }
        }
    }

    /// <summary>
    /// For every chart div (class <c>soft-diffusion-chart</c>) in the DOM, in order: its id and whether plotly.js drew
    /// it, i.e. whether an element of class "main-svg" follows it before the next chart div.
    /// </summary>
    public static IReadOnlyList<(string Id, bool Drawn)> Charts(string dom)
    {
        var starts = ChartDiv().Matches(dom).ToList();
        return starts.Select((m, i) =>
        {
            int end = i + 1 < starts.Count ? starts[i + 1].Index : dom.Length;
            return (m.Groups[1].Value, dom.AsSpan(m.Index, end - m.Index).Contains("class=\"main-svg\"", StringComparison.Ordinal));
        }).ToList();
    }

    [GeneratedRegex("<div id=\"([^\"]+)\" class=\"soft-diffusion-chart[ \"]")]
    private static partial Regex ChartDiv();
}
