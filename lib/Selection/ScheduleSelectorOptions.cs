using SoftDiffusion.Schedules;
namespace SoftDiffusion.Selection;

/// <summary>Options of <see cref="ScheduleSelector"/> (docs/method.md §6.3).</summary>
public sealed record ScheduleSelectorOptions(
    int Candidates = 256,                                       // candidate blur levels, log-spaced ([paper]: 256)
    int Levels = 32,                                            // levels L of the chosen path, endpoints included ([paper]: 32)
    double SigmaBMin = BlurSchedule.DefaultSigmaMin,            // least blur in pixels ([paper]: 0.01)
    double? SigmaBMax = null,                                   // most blur in pixels; null = 23 H / 64 ([paper] at 64 x 64, scaled, [choice])
    DistanceEstimator Estimator = DistanceEstimator.CouplingBound, // distance between corrupted distributions ([choice])
    long BatchSize = 256);                                      // images per batch of the pass over the data
