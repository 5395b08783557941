using System.Text;
using SoftDiffusion.Tools;
using SoftDiffusion.Workbook;
using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>
/// Outputs of the notebooks executed in the smoke profile stay small. The rule (also in environment.md, "Charts"):
/// every output is at most <see cref="MaxOutputBytes"/> (its UTF-8 size as stored in the .ipynb: every MIME type's
/// content, PNGs as base64), except the one output per notebook that carries plotly.js
/// (<see cref="PlotlyJs.SessionHtml"/>, shown by Workbook.Init), which must be the Init cell's, appear exactly once
/// and be no larger than plotly.js plus <see cref="SessionOverheadBytes"/>.
/// </summary>
[Collection(ExecutedNotebooksCollection.Name)]
public class NotebookOutputSizeTests(ITestOutputHelper output)
{
    /// <summary>The cap on any output other than the plotly.js session output: 1 MB.</summary>
    public const long MaxOutputBytes = 1_000_000;

    /// <summary>What the session output may add to plotly.js (its text line, guard and loader).</summary>
    public const long SessionOverheadBytes = 2_000;

    public static TheoryData<string> Notebooks() => ExecutedNotebooks.Names();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryOutputIsAtMostOneMegabyte(string notebook)
    {
        var cells = ExecutedNotebook.Cells(ExecutedNotebooks.Succeeded(notebook).Output);
        var outputs = cells.SelectMany(c => c.Outputs).Where(o => !o.IsPlotlySession).ToList();
        Assert.NotEmpty(outputs);
        var largest = outputs.MaxBy(o => o.Bytes)!;
        output.WriteLine($"{notebook}: {outputs.Count} outputs besides plotly.js; largest {largest.Bytes:N0} bytes at {largest.Where}");

        var tooLarge = outputs.Where(o => o.Bytes > MaxOutputBytes).ToList();
        Assert.True(tooLarge.Count == 0,
            $"Expected every output of {notebook} (smoke profile) to be at most {MaxOutputBytes:N0} bytes; these are larger:\n" +
            string.Join("\n", tooLarge.Select(o => $"- {o.Where}: {o.Bytes:N0} bytes; the cell starts: {Start(cells[o.Cell].Source)}")) +
            "\nCharts should carry summaries (Charts.Histogram bins in C#, Charts.Lines decimates), not raw data.");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void PlotlyJsComesOnceWithTheInitCell(string notebook)
    {
        var cells = ExecutedNotebook.Cells(ExecutedNotebooks.Succeeded(notebook).Output);
        var sessions = cells.SelectMany(c => c.Outputs).Where(o => o.IsPlotlySession).ToList();
        Assert.True(sessions.Count == 1,
            $"Expected exactly one plotly.js output in {notebook} (Workbook.Init's), found {sessions.Count}: {string.Join("; ", sessions.Select(s => s.Where))}.");

        var session = sessions[0];
        Assert.True(cells[session.Cell].Source.Contains("Workbook.Init(", StringComparison.Ordinal),
            $"Expected the plotly.js output in the Workbook.Init() cell of {notebook}; it is at {session.Where}: {Start(cells[session.Cell].Source)}");
        long limit = Encoding.UTF8.GetByteCount(PlotlyJs.Source) + SessionOverheadBytes;
        output.WriteLine($"{notebook}: plotly.js output {session.Bytes:N0} bytes (limit {limit:N0})");
        Assert.True(session.Bytes <= limit, $"Expected the plotly.js output of {notebook} to be at most {limit:N0} bytes, got {session.Bytes:N0}.");
    }

    static string Start(string source) => source.Length <= 120 ? source : source[..120] + " ...";
}
