using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SoftDiffusion.Tools;

/// <summary>A cell that failed: its index (0-based), its source and the error the kernel reported.</summary>
public sealed record FailedCell(int Index, string Source, string Error);

/// <summary>What running one notebook gave.</summary>
/// <param name="Notebook">The notebook run.</param>
/// <param name="Output">The executed copy, with outputs.</param>
/// <param name="ExitCode">dotnet-repl's exit code (0 ok, 2 when a cell failed).</param>
/// <param name="Duration">Wall time.</param>
/// <param name="FailedCells">Cells with an error output.</param>
/// <param name="Log">What dotnet-repl printed.</param>
public sealed record NotebookRun(string Notebook, string Output, int ExitCode, TimeSpan Duration, IReadOnlyList<FailedCell> FailedCells, string Log)
{
    /// <summary>True when the host exited cleanly and no cell failed.</summary>
    public bool Succeeded => ExitCode == 0 && FailedCells.Count == 0;

    /// <summary>A report naming each failing cell with its source and error.</summary>
    public string Describe() => Succeeded
        ? $"{Path.GetFileName(Notebook)}: ok in {Duration.TotalSeconds:F1} s"
        : $"{Path.GetFileName(Notebook)}: dotnet-repl exit code {ExitCode}, {FailedCells.Count} failing cell(s)\n" +
          string.Join("\n", FailedCells.Select(c => $"--- cell {c.Index} ---\n{c.Source}\n--- error ---\n{c.Error}")) +
          (FailedCells.Count == 0 ? $"\n--- dotnet-repl output ---\n{Log}" : "");
}

/// <summary>
/// Runs a notebook headless through dotnet-repl (the dotnet-interactive kernel, pinned in dotnet-tools.json),
/// from the notebook's own folder, as VS Code does, so its relative #r paths resolve the same way.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Executes <paramref name="notebook"/> in <paramref name="profile"/> and writes the executed copy to <paramref name="output"/>.</summary>
    /// <param name="notebook">The .ipynb to run.</param>
    /// <param name="output">Where the executed copy goes.</param>
    /// <param name="profile">SOFT_DIFFUSION_PROFILE of the kernel.</param>
    /// <param name="timeout">The run is killed (and a TimeoutException thrown) after this.</param>
    /// <param name="environment">More environment variables of the kernel (e.g. SOFT_DIFFUSION_TRIAL_STEPS); null removes one.</param>
    public static NotebookRun Run(string notebook, string output, string profile, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        notebook = Path.GetFullPath(notebook);
        output = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        if (File.Exists(output)) File.Delete(output);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(notebook)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "tool", "run", "dotnet-repl", "--", "--run", notebook, "--exit-after-run", "--output-path", output })
            start.ArgumentList.Add(arg);
        start.Environment["TERM"] = "dumb";
        start.Environment["SOFT_DIFFUSION_PROFILE"] = profile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{notebook} did not finish within {timeout.TotalMinutes:F0} min (profile {profile}).");
        }
        process.WaitForExit();
        string log = stdout.Result + stderr.Result;
        var failed = File.Exists(output) ? FailedCells(output) : [new FailedCell(-1, "", $"dotnet-repl wrote no output notebook.\n{log}")];
        return new NotebookRun(notebook, output, process.ExitCode, clock.Elapsed, failed, log);
    }

    /// <summary>The cells of an executed notebook that carry an error output.</summary>
    public static IReadOnlyList<FailedCell> FailedCells(string executedNotebook)
    {
        var cells = JsonNode.Parse(File.ReadAllText(executedNotebook))?["cells"]?.AsArray() ?? [];
        var failed = new List<FailedCell>();
        for (int i = 0; i < cells.Count; i++)
        {
            var errors = (cells[i]?["outputs"]?.AsArray() ?? [])
                .Where(o => (string?)o?["output_type"] == "error")
                .Select(o => $"{o?["ename"]}: {o?["evalue"]}")
                .ToList();
            if (errors.Count > 0) failed.Add(new FailedCell(i, Text(cells[i]?["source"]), string.Join("\n", errors)));
        }
        return failed;
    }

    /// <summary>Joins an ipynb text field (a string or a list of lines).</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };
}
