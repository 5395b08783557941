using System.Diagnostics;
using SoftDiffusion.Tools;

// The workbook's main job: every notebooks/*.ipynb, in order, headless, in one profile (cpu by default). Beside each
// executed notebook it writes a self-contained HTML page (text, images, interactive charts, plotly.js included).
// Usage: dotnet run --project tools/RunNotebooks -- [--profile smoke|cpu|paper] [--only NAME] [--out FOLDER] [--timeout-minutes N]
//   [--trial-steps N]
// --trial-steps N runs a trial of the profile (SOFT_DIFFUSION_TRIAL_STEPS: its network and data, N training steps per run,
// smoke-size scores), e.g. to check on a CPU that the paper profile's notebooks start before committing a GPU to them.
string profile = "cpu", only = "", outFolder = "";
int? trialSteps = null;
int timeoutMinutes = 600;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--profile": profile = Value(); break;
        case "--only": only = Value(); break;
        case "--out": outFolder = Value(); break;
        case "--timeout-minutes": timeoutMinutes = int.Parse(Value()); break;
        case "--trial-steps": trialSteps = int.Parse(Value()); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: --profile smoke|cpu|paper, --only NAME, --out FOLDER, --timeout-minutes N, --trial-steps N");
            return 64;
    }
}
if (profile is not ("smoke" or "cpu" or "paper"))
{
    Console.Error.WriteLine($"Unknown profile '{profile}': expected smoke, cpu or paper.");
    return 64;
}

string root = RepositoryRoot();
string notebooks = Path.Combine(root, "notebooks");
string profileLabel = trialSteps is null ? profile : $"{profile}-trial";
outFolder = outFolder.Length > 0 ? Path.GetFullPath(outFolder) : Path.Combine(root, "artifacts", "notebooks", profileLabel);
var environment = new Dictionary<string, string?> { ["SOFT_DIFFUSION_TRIAL_STEPS"] = trialSteps?.ToString() };
var selected = Directory.GetFiles(notebooks, "*.ipynb").Order()
    .Where(n => only.Length == 0 || Path.GetFileNameWithoutExtension(n).Contains(only, StringComparison.OrdinalIgnoreCase))
    .ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"No notebook in {notebooks} matches '{only}'.");
    return 66;
}

Restore(root);
Console.WriteLine($"Running {selected.Count} notebook(s), profile {profileLabel}; executed copies and their HTML pages go to {outFolder}");
var total = Stopwatch.StartNew();
int failures = 0;
foreach (var notebook in selected)
{
    var run = NotebookRunner.Run(notebook, Path.Combine(outFolder, Path.GetFileName(notebook)), profile, TimeSpan.FromMinutes(timeoutMinutes), environment);
    Console.WriteLine(run.Succeeded ? $"  {Path.GetFileName(notebook),-28} ok      {run.Duration.TotalSeconds,8:F1} s  -> {run.Output}" : run.Describe());
    if (File.Exists(run.Output))   // a page of a failed run shows its errors too
        Console.WriteLine($"  {"",-28} page                 -> {NotebookHtmlExporter.Export(run.Output, $"{profileLabel} profile, executed {DateTime.Now:yyyy-MM-dd HH:mm}")}");
    if (!run.Succeeded) failures++;
}
Console.WriteLine($"{selected.Count - failures} of {selected.Count} notebooks ran without errors in {total.Elapsed.TotalMinutes:F1} min (profile {profileLabel}).");
return failures == 0 ? 0 : 1;

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "SoftDiffusion.Lib.csproj"))) return dir.FullName;
    throw new DirectoryNotFoundException($"No SoftDiffusion.Lib.csproj above {AppContext.BaseDirectory}.");
}

// dotnet-repl is pinned in dotnet-tools.json; a fresh clone needs it restored once.
static void Restore(string root)
{
    using var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore") { WorkingDirectory = root, RedirectStandardOutput = true })!;
    restore.StandardOutput.ReadToEnd();
    restore.WaitForExit();
    if (restore.ExitCode != 0) throw new InvalidOperationException("'dotnet tool restore' failed; see its output above.");
}
