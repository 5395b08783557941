namespace SoftDiffusion.Training;

/// <summary>
/// Linear learning-rate warm-up, then constant (the NCSN++/DDPM++ recipe: lr * min(step / warmup, 1)). [choice]
/// </summary>
/// <param name="PeakLearningRate">The rate after warm-up.</param>
/// <param name="WarmupSteps">Number of warm-up steps; 0 starts at the peak.</param>
public sealed record LearningRateSchedule(double PeakLearningRate, int WarmupSteps)
{
    /// <summary>The rate used by update number <paramref name="step"/> (1 = the first update): peak * min(step / warmup, 1).</summary>
    public double At(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Expected an update number >= 1.");
        return WarmupSteps == 0 ? PeakLearningRate : PeakLearningRate * Math.Min(1.0, (double)step / WarmupSteps);
    }
}
