using System.Text.Json.Serialization;

namespace SoftDiffusion.Training;

/// <summary>One line of a run's metrics.jsonl: averages over the steps since the previous line.</summary>
/// <param name="Step">Last update number covered.</param>
/// <param name="Loss">Mean training loss over the covered steps.</param>
/// <param name="LearningRate">Learning rate of the last covered step.</param>
/// <param name="ImagesPerSecond">Images trained per wall-clock second over the covered steps.</param>
/// <param name="WallSeconds">Seconds since this training session started.</param>
/// <param name="GradientNorm">Global gradient norm before clipping at the last covered step.</param>
/// <param name="ResidentMegabytes">Resident memory of the process (working set) when the line was written, in MB; a
/// leak shows as steady growth over a run (null in lines written before this field existed).</param>
public sealed record MetricsRecord(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("lr")] double LearningRate,
    [property: JsonPropertyName("images_per_second")] double ImagesPerSecond,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("grad_norm")] double GradientNorm,
    [property: JsonPropertyName("resident_mb")] double? ResidentMegabytes = null);
