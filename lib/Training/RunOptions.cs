using SoftDiffusion.Models;

namespace SoftDiffusion.Training;

/// <summary>What a run's options.json records: the training settings, the network configuration and the image shape.</summary>
/// <param name="Training">Optimisation settings.</param>
/// <param name="Model">Network configuration.</param>
/// <param name="ImageShape">[C, H, W] of the training images.</param>
public sealed record RunOptions(TrainingOptions Training, UNetConfig Model, long[] ImageShape);
