using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The recipe study at equal compute (docs/results.md): today's cpu blur recipe and arms that change one thing each,
/// every arm seeing the same number of training images (<see cref="BaselineSteps"/> batches of 64) from the same seed
/// and data order, so an arm's score measures its change, not its budget.
/// </summary>
public static class RecipeStudy
{
    /// <summary>The baseline's budget in updates of batch 64 (51,200 images, 0.85 epochs of the 60k train split).</summary>
    public const long BaselineSteps = 800;

    // The cpu profile as it was before the study (pinned here: the profile has since adopted the study's findings).
    static readonly TrainingRecipe Blur = new("blur", CorruptionKind.Blur, 0.01, 0.05, TrainingLossKind.SoftScoreMatching);
    static readonly UNetConfig Network = new(1, BaseChannels: 16, ChannelMultipliers: [1, 2, 4], BlocksPerLevel: 2, AttentionLevels: [2], Dropout: 0);
    static readonly TrainingOptions Training = new(LearningRate: 1e-3, WarmupSteps: 100, BatchSize: 64);

    /// <summary>The cpu profile's blur recipe before the study: 32 selected blur levels, noise 0.01 .. 0.05 geometric,
    /// Soft Score Matching; the 1.0 M-parameter U-Net with 16 random Fourier features of t; Adam 1e-3 after 100
    /// warm-up steps, constant, batch 64, EMA 0.999 with warm-up.</summary>
    public static StudyArm Baseline { get; } = new("baseline", "none (the cpu profile's blur recipe before the study)", Blur, Network, Training, BaselineSteps);

    /// <summary>The arms, baseline first.</summary>
    public static IReadOnlyList<StudyArm> Arms { get; } =
    [
        Baseline,
        Baseline with
        {
            Name = "noise-0.1", Change = "noise 0.01 -> 0.1 geometric up to t = 0.25, then constant",
            Recipe = Blur with { Name = "blur-noise-0.1-plateau", SigmaMax = 0.1, SigmaPlateauFrom = 0.25 },
        },
        Baseline with
        {
            Name = "noise-0.2", Change = "noise 0.01 -> 0.2 geometric up to t = 0.25, then constant",
            Recipe = Blur with { Name = "blur-noise-0.2-plateau", SigmaMax = 0.2, SigmaPlateauFrom = 0.25 },
        },
        Baseline with
        {
            Name = "time-sinusoidal", Change = "64 sinusoidal features of t instead of 16 random Fourier features",
            Network = Network with { TimeEmbedding = TimeEmbeddingKind.Sinusoidal, TimeFeatures = 64 },
        },
        Baseline with
        {
            Name = "loss-normalised", Change = "each per-sample loss divided by the running mean of the loss at its t",
            Training = Training with { NormaliseLossPerTime = true },
        },
        Baseline with
        {
            Name = "optimiser", Change = "lr 2e-3 with cosine decay to 0, Adam beta2 0.99, batch 128 (half the steps), EMA half-life 10% of the run",
            Training = Training with
            {
                LearningRate = 2e-3, AdamBeta2 = 0.99, BatchSize = 128, DecaySteps = BaselineSteps / 2, EmaHalfLife = BaselineSteps / 20.0,
            },
            Steps = BaselineSteps / 2,
        },
        Baseline with
        {
            Name = "width-32", Change = "32 base channels instead of 16 (4x the parameters), trained for the baseline's wall time",
            Network = Network with { BaseChannels = 32 }, Steps = Width32Steps,
        },
        Baseline with
        {
            Name = "depth-3", Change = "3 residual blocks per level instead of 2, trained for the baseline's wall time",
            Network = Network with { BlocksPerLevel = 3 }, Steps = Depth3Steps,
        },
    ];

    /// <summary>The width-32 arm's budget: the baseline's 800 steps times the ratio of the two networks' training-step
    /// times, 1.01 s against 3.51 s (medians of 3 alternating blocks, one thread beside a busy core on a 2-core AMD
    /// EPYC, `tools/Bench networks 3`, with oneDNN's AVX-512 kernels, before <see cref="Runtime.ConvolutionKernels"/>
    /// capped them there), so both arms train for the same wall time.</summary>
    public const long Width32Steps = 230;

    /// <summary>The depth-3 arm's budget, as <see cref="Width32Steps"/>: 800 steps times 1.01 s / 1.22 s.</summary>
    public const long Depth3Steps = 658;

    /// <summary>The arm called <paramref name="name"/>.</summary>
    public static StudyArm Find(string name) => Arms.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"Unknown study arm '{name}': expected one of {string.Join(", ", Arms.Select(a => a.Name))}.", nameof(name));
}
