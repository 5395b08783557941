using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoftDiffusion.Training;

/// <summary>
/// The files of one training run (design.md "Runs"): options.json, metrics.jsonl (one JSON object per logged
/// step), checkpoints/ (the latest checkpoint) and samples/ (image grids written by the caller's hook).
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

    /// <summary>Opens (creating if needed) the run folder <paramref name="root"/> and its subfolders.</summary>
    public RunDirectory(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(CheckpointsDirectory);
        Directory.CreateDirectory(SamplesDirectory);
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

    /// <summary>All lines of metrics.jsonl (empty if none were written).</summary>
    public IReadOnlyList<MetricsRecord> ReadMetrics() =>
        File.Exists(MetricsPath)
            ? File.ReadLines(MetricsPath).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<MetricsRecord>(l, JsonLine)!).ToList()
            : [];
}
