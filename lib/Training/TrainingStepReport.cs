namespace SoftDiffusion.Training;

/// <summary>What one optimiser step did, passed to the trainer's per-step callback (for live charts of the loss
/// against step and against t).</summary>
/// <param name="Step">Update number (1 = the first update of the run).</param>
/// <param name="Loss">Mean of the per-sample loss over the batch.</param>
/// <param name="Times">The sampled t of each example [B].</param>
/// <param name="PerSampleLoss">The loss of each example [B].</param>
/// <param name="LearningRate">The learning rate used by this step.</param>
/// <param name="GradientNorm">Global gradient norm before clipping (NaN when clipping is off).</param>
/// <param name="ImagesPerSecond">B divided by the wall time of this step, including waiting for the batch.</param>
public sealed record TrainingStepReport(
    long Step,
    double Loss,
    float[] Times,
    float[] PerSampleLoss,
    double LearningRate,
    double GradientNorm,
    double ImagesPerSecond);
