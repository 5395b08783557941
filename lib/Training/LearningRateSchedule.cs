namespace SoftDiffusion.Training;

/// <summary>
/// Linear learning-rate warm-up, then constant (the NCSN++/DDPM++ recipe: lr * min(step / warmup, 1)) or, when
/// <paramref name="DecaySteps"/> is set, a cosine decay from the peak at the end of the warm-up to 0 at step
/// <paramref name="DecaySteps"/> (SGDR / improved-DDPM style) [choice].
/// </summary>
/// <param name="PeakLearningRate">The rate after warm-up.</param>
/// <param name="WarmupSteps">Number of warm-up steps; 0 starts at the peak.</param>
/// <param name="DecaySteps">The step at which the cosine reaches 0 (the run's length); 0 keeps the peak after warm-up.</param>
public sealed record LearningRateSchedule(double PeakLearningRate, int WarmupSteps, long DecaySteps = 0)
{
    /// <summary>The rate used by update number <paramref name="step"/> (1 = the first update).</summary>
    public double At(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Expected an update number >= 1.");
        if (step < WarmupSteps) return PeakLearningRate * step / WarmupSteps;          // peak * step / warmup
        if (DecaySteps <= WarmupSteps) return PeakLearningRate;
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / (DecaySteps - WarmupSteps));
        return PeakLearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));            // peak (1 + cos(pi p)) / 2
    }
}
