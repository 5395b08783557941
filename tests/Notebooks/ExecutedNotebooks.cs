using System.Collections.Concurrent;
using SoftDiffusion.Runtime;
using SoftDiffusion.Tools;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>The tests that read executed notebooks: one at a time (each runs a kernel), in one collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExecutedNotebooksCollection
{
    public const string Name = "Executed notebooks";
}

/// <summary>
/// Every notebooks/*.ipynb executed once per test run, headless through dotnet-repl in the smoke profile, as the main
/// job does it (executed copy plus its HTML page, in artifacts/test-notebooks/). The execution, output-size and
/// browser tests share these runs, so no notebook is executed twice.
/// </summary>
public static class ExecutedNotebooks
{
    static readonly ConcurrentDictionary<string, Lazy<NotebookRun>> runs = new();

    /// <summary>The folder of the executed copies and pages.</summary>
    public static string Folder => Path.Combine(ProjectPaths.Root, "artifacts", "test-notebooks");

    /// <summary>The notebook names (e.g. "00_tour.ipynb"), in order, as xunit theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(ProjectPaths.Root, "notebooks"), "*.ipynb").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    /// <summary>The run of <paramref name="notebook"/> (executed on first use).</summary>
    public static NotebookRun Get(string notebook) => runs.GetOrAdd(notebook, n => new Lazy<NotebookRun>(() => Execute(n))).Value;

    /// <summary>The run of <paramref name="notebook"/>, failing the calling test with the run's report when a cell failed.</summary>
    public static NotebookRun Succeeded(string notebook)
    {
        var run = Get(notebook);
        Assert.True(run.Succeeded, run.Describe());
        return run;
    }

    /// <summary>The HTML page the main job's exporter wrote for <paramref name="notebook"/>.</summary>
    public static string Page(string notebook) => Path.ChangeExtension(Path.Combine(Folder, notebook), ".html");

    /// <summary>The environment variable that raises the per-notebook time limit (minutes; default 10), for shared, busy machines
    /// (also the limit of each child process of the package-use tests).</summary>
    public const string TimeoutVariable = "SOFT_DIFFUSION_NOTEBOOK_TIMEOUT_MINUTES";

    internal static TimeSpan Timeout() => Environment.GetEnvironmentVariable(TimeoutVariable) switch
    {
        null or "" => TimeSpan.FromMinutes(10),
        var text when int.TryParse(text, out int minutes) && minutes > 0 => TimeSpan.FromMinutes(minutes),
        var text => throw new ArgumentException($"{TimeoutVariable} must be a positive whole number of minutes, got '{text}'."),
    };

    static NotebookRun Execute(string notebook)
    {
        var run = NotebookRunner.Run(Path.Combine(ProjectPaths.Root, "notebooks", notebook), Path.Combine(Folder, notebook), "smoke", Timeout());
        if (File.Exists(run.Output)) NotebookHtmlExporter.Export(run.Output, "smoke profile, executed by the tests");
        return run;
    }
}
