using System.Text.Json.Serialization;
using System.Text.Json;

namespace SoftDiffusion.Training;

/// <summary>
/// The files of one training run (docs/method.md §11.3, runs): options.json, metrics.jsonl (one JSON object per logged
/// step), checkpoints/ (the latest checkpoint and the one before it) and samples/ (image grids written by the caller's hook).
/// </summary>
public sealed class RunDirectory
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
    static readonly JsonSerializerOptions JsonLine = new(Json) { WriteIndented = false };

    /// <summary>The run's folder.</summary>
    public string Root { get; }

    /// <summary>options.json: everything needed to rebuild the run.</summary>
    public string OptionsPath => Path.Combine(Root, "options.json");

    /// <summary>metrics.jsonl.</summary>
    public string MetricsPath => Path.Combine(Root, "metrics.jsonl");

    /// <summary>checkpoints/.</summary>
    public string CheckpointsDirectory => Path.Combine(Root, "checkpoints");

    /// <summary>samples/.</summary>
    public string SamplesDirectory => Path.Combine(Root, "samples");

    /// <summary>checkpoints/latest.ckpt, rewritten atomically at every checkpoint.</summary>
    public string LatestCheckpointPath => Path.Combine(CheckpointsDirectory, "latest.ckpt");

    /// <summary>checkpoints/previous.ckpt: the checkpoint before the latest, kept in the same atomic replacement
    /// that installs a new latest (<see cref="AtomicFile.Write"/>), to fall back to when the latest is damaged.</summary>
    public string PreviousCheckpointPath => Path.Combine(CheckpointsDirectory, "previous.ckpt");

    /// <summary>Opens (creating if needed) the run folder <paramref name="root"/> and its subfolders.</summary>
    /// <exception cref="IOException">The folder cannot be created or written (read-only, no permission, a file in the
    /// way); the message names the folder and the reason.</exception>
    public RunDirectory(string root)
    {
        Root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(CheckpointsDirectory);
            Directory.CreateDirectory(SamplesDirectory);
            using (File.Create(Path.Combine(Root, $".write-test-{Guid.NewGuid():N}"), 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Expected a writable run folder at '{Root}' (for options.json, metrics.jsonl and checkpoints/), " +
                $"but it cannot be created or written: {e.Message} Choose another folder (tools/Train --run DIR, or SOFT_DIFFUSION_RUNS for runs/).", e);
        }
    }

    /// <summary>A path for the sample grid of <paramref name="step"/>: samples/step_0001000.png.</summary>
    public string SamplePath(long step, string extension = "png") => Path.Combine(SamplesDirectory, $"step_{step:D7}.{extension}");

    /// <summary>Writes options.json (indented, enums as names), atomically.</summary>
    public void WriteOptions(RunOptions options) =>
        AtomicFile.Write(OptionsPath, stream => JsonSerializer.Serialize(stream, options, Json));

    /// <summary>Reads options.json back.</summary>
    public RunOptions ReadOptions() =>
        JsonSerializer.Deserialize<RunOptions>(File.ReadAllText(OptionsPath), Json)
        ?? throw new InvalidDataException($"{OptionsPath} holds null, expected the run options.");

    /// <summary>Appends one line to metrics.jsonl.</summary>
    public void AppendMetrics(MetricsRecord record) =>
        File.AppendAllText(MetricsPath, JsonSerializer.Serialize(record, JsonLine) + "\n");

    /// <summary>Removes the lines of metrics.jsonl after <paramref name="step"/> (and a line cut short by a killed
    /// process), atomically: a run resumed from the checkpoint of <paramref name="step"/> writes those steps again.</summary>
    /// <returns>The number of lines removed.</returns>
    public int TrimMetricsAfter(long step)
    {
        if (!File.Exists(MetricsPath)) return 0;
        var lines = File.ReadAllLines(MetricsPath).Where(l => l.Length > 0).ToList();
        var kept = lines.Where(l => TryParseMetrics(l) is { } record && record.Step <= step).ToList();
        if (kept.Count == lines.Count) return 0;
        AtomicFile.Write(MetricsPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(l => l + "\n")))));
        return lines.Count - kept.Count;
    }

    /// <summary>Moves a checkpoint that could not be loaded out of the way, to checkpoints/&lt;name&gt;.rejected-&lt;UTC time&gt;,
    /// so that no later checkpoint replaces it unseen; returns the new path.</summary>
    public string SetAside(string checkpointPath)
    {
        string kept = $"{checkpointPath}.rejected-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        File.Move(checkpointPath, kept, overwrite: true);
        return kept;
    }

    static MetricsRecord? TryParseMetrics(string line)
    {
        try { return JsonSerializer.Deserialize<MetricsRecord>(line, JsonLine); }
        catch (JsonException) { return null; }
    }

    /// <summary>All lines of metrics.jsonl (empty if none were written).</summary>
    public IReadOnlyList<MetricsRecord> ReadMetrics() =>
        File.Exists(MetricsPath)
            ? File.ReadLines(MetricsPath).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<MetricsRecord>(l, JsonLine)!).ToList()
            : [];
}
