namespace SoftDiffusion.Experiments;

/// <summary>The training objective of a <see cref="TrainingRecipe"/> (docs/method.md §3).</summary>
public enum TrainingLossKind
{
    /// <summary>Soft Score Matching: ||C_t (x0_hat - x_0)||^2 weighted by 1/sigma_t^2 (Section 3.2).</summary>
    SoftScoreMatching,
    /// <summary>The ablation baseline: ||x0_hat - x_0||^2 in pixel space, same weighting.</summary>
    Pixel,
    /// <summary>The error filtered one sampler step ahead, ||C_{t - dt} (x0_hat - x_0)||^2 (FilteredLoss), same weighting.</summary>
    FilteredAhead,
}
