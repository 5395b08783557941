using SoftDiffusion.Losses;

namespace SoftDiffusion.Training;

/// <summary>
/// Optimisation settings of the trainer. The paper does not state them; the defaults are the project's choice
/// (docs/method.md §10.5, the common NCSN++/DDPM++ recipe). [choice]
/// </summary>
/// <param name="LearningRate">Adam's peak learning rate, reached after the warm-up.</param>
/// <param name="WarmupSteps">Steps of linear warm-up from 0 to <paramref name="LearningRate"/> (5000 at paper scale; a few hundred on a CPU).</param>
/// <param name="GradientClipNorm">Maximum global L2 norm of the gradient; larger gradients are rescaled to it. 0 disables clipping.</param>
/// <param name="EmaDecay">Decay d of the exponential moving average of the weights, e = d e + (1 - d) w.</param>
/// <param name="BatchSize">Images per step B.</param>
/// <param name="TimeEpsilon">Smallest sampled time: t ~ U[eps, 1] per example.</param>
/// <param name="Seed">Seeds the data order (per epoch) and the trainer's generator for t and eta.</param>
/// <param name="AdamBeta1">Adam's first-moment decay.</param>
/// <param name="AdamBeta2">Adam's second-moment decay.</param>
/// <param name="AdamEpsilon">Adam's denominator epsilon.</param>
/// <param name="LogEvery">Write a metrics line every this many steps (when training into a run directory).</param>
/// <param name="CheckpointEvery">Write the checkpoint every this many steps (when training into a run directory); 0 only at the end.</param>
/// <param name="DecaySteps">Cosine learning-rate decay to 0 at this step (<see cref="LearningRateSchedule"/>); 0: constant after warm-up.</param>
/// <param name="EmaHalfLife">Half-life of the EMA in updates, d = 2^(-1 / half-life) (tying the average to the run's
/// length, e.g. a tenth of it); 0 uses <paramref name="EmaDecay"/>.</param>
/// <param name="NormaliseLossPerTime">Divide each per-sample loss by the running mean of the loss at its t
/// (<see cref="TimeBinnedLossNormaliser"/>), so every t weighs alike in the gradient; false: the loss as it is.</param>
/// <param name="CheckpointMinutes">Also write the checkpoint when this many minutes of wall time have passed since the
/// last one (when training into a run directory), so a killed run loses at most this much work whatever the step
/// time; 0: by steps only. Writing a checkpoint does not change the training, so runs stay exactly reproducible.</param>
public sealed record TrainingOptions(
    double LearningRate = 2e-4,
    int WarmupSteps = 5000,
    double GradientClipNorm = 1.0,
    double EmaDecay = 0.999,
    int BatchSize = 128,
    double TimeEpsilon = 1e-5,
    long Seed = 0,
    double AdamBeta1 = 0.9,
    double AdamBeta2 = 0.999,
    double AdamEpsilon = 1e-8,
    int LogEvery = 10,
    int CheckpointEvery = 1000,
    long DecaySteps = 0,
    double EmaHalfLife = 0,
    bool NormaliseLossPerTime = false,
    double CheckpointMinutes = 5)
{
    /// <summary>The EMA decay d in use: from <see cref="EmaHalfLife"/> when it is set, else <see cref="EmaDecay"/>.</summary>
    public double EffectiveEmaDecay => EmaHalfLife > 0 ? Math.Pow(2, -1 / EmaHalfLife) : EmaDecay;

    /// <summary>Laptop-CPU settings for the small cpu U-Net and runs of a few thousand steps: batch 64, learning rate
    /// 1e-3 after a 100-step warm-up (2e-4 with a 500-step warm-up spent most of a 750-step run warming up), the
    /// other settings at their defaults.</summary>
    public static TrainingOptions Cpu => new(LearningRate: 1e-3, WarmupSteps: 100, BatchSize: 64);

    /// <summary>The first setting, other than when to log and checkpoint, in which <paramref name="other"/> differs from
    /// these options, with its two values; null when a run trained with <paramref name="other"/> may resume with these
    /// (every setting that shapes the trajectory is equal).</summary>
    public (string Name, string Theirs, string Ours)? TrajectoryDifference(TrainingOptions other)
    {
        var bookkeeping = other with { LogEvery = LogEvery, CheckpointEvery = CheckpointEvery, CheckpointMinutes = CheckpointMinutes };
        return typeof(TrainingOptions).GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != nameof(EffectiveEmaDecay))
            .Select(p => (p.Name, Theirs: p.GetValue(bookkeeping), Ours: p.GetValue(this)))
            .Where(p => !Equals(p.Theirs, p.Ours))
            .Select(p => ((string Name, string Theirs, string Ours)?)(p.Name, $"{p.Theirs}", $"{p.Ours}"))
            .FirstOrDefault();
    }

    /// <summary>Throws ArgumentException naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LearningRate <= 0) throw new ArgumentException($"Expected a positive learning rate, got {LearningRate}.");
        if (WarmupSteps < 0) throw new ArgumentException($"Expected warm-up steps >= 0, got {WarmupSteps}.");
        if (GradientClipNorm < 0) throw new ArgumentException($"Expected a gradient clip norm >= 0, got {GradientClipNorm}.");
        if (EmaDecay is < 0 or > 1) throw new ArgumentException($"Expected an EMA decay in [0, 1], got {EmaDecay}.");
        if (BatchSize < 1) throw new ArgumentException($"Expected a batch size >= 1, got {BatchSize}.");
        if (TimeEpsilon is < 0 or >= 1) throw new ArgumentException($"Expected a time epsilon in [0, 1), got {TimeEpsilon}.");
        if (LogEvery < 1) throw new ArgumentException($"Expected LogEvery >= 1, got {LogEvery}.");
        if (DecaySteps < 0) throw new ArgumentException($"Expected decay steps >= 0, got {DecaySteps}.");
        if (EmaHalfLife < 0) throw new ArgumentException($"Expected an EMA half-life >= 0 updates, got {EmaHalfLife}.");
        if (CheckpointEvery < 0) throw new ArgumentException($"Expected CheckpointEvery >= 0, got {CheckpointEvery}.");
        if (!(CheckpointMinutes >= 0) || double.IsInfinity(CheckpointMinutes))
            throw new ArgumentException($"Expected CheckpointMinutes >= 0 (0: by steps only), got {CheckpointMinutes}.");
    }
}
