using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Experiments;

/// <summary>The scale of everything a notebook does (docs/method.md §11.2).</summary>
public enum ProfileName
{
    /// <summary>Seconds per notebook; what CI runs; proves every cell executes.</summary>
    Smoke,
    /// <summary>Real results on Fashion-MNIST in minutes to an hour on a laptop CPU.</summary>
    Cpu,
    /// <summary>CelebA-64 at the paper's scale, for a CUDA machine; chosen only by SOFT_DIFFUSION_PROFILE=paper or explicitly.</summary>
    Paper,
}

/// <summary>
/// What a profile means in numbers. Read once by <c>Workbook.Init</c> from SOFT_DIFFUSION_PROFILE
/// (smoke | cpu | paper); the default is cpu, with or without a GPU (on a CUDA machine the cpu scale then runs on the
/// GPU): the paper profile starts 1.3 M-step runs, so it is used only when asked for.
/// </summary>
/// <param name="Name">The profile.</param>
/// <param name="ImagesShown">Images in a grid shown inline.</param>
/// <param name="ImagesForStatistics">Images used for histograms, spectra and other dataset statistics (and to fit p_1).</param>
/// <param name="Network">The U-Net that notebook 04 and tools/Train train [choice; the paper does not state its network].</param>
/// <param name="Training">Optimiser settings of that training, batch size included [choice].</param>
/// <param name="TrainingSteps">Updates of a complete training run (a resumed run trains only the rest).</param>
/// <param name="TrainingImages">Training images used (the first ones of the split); null uses the whole split.</param>
/// <param name="SampleEvery">Write a sample grid every this many steps during training; 0 only at the end.</param>
/// <param name="SamplerSteps">Steps (NFE) of the Momentum sampler for sample grids (Figure 3 of the paper sweeps 50..1000).</param>
/// <param name="AblationSteps">Training budget of every ablation run of notebook 06 (the same for all, so they compare).</param>
/// <param name="EvaluationSamples">Samples behind each FID/KID of notebooks 05-07 (the paper: 50,000 [choice]).</param>
/// <param name="NfeSweep">The sampler steps (NFE) of the FID-versus-NFE curves of notebook 07 (Figure 3).</param>
/// <param name="ComparisonNfe">NFE of the sampler comparison of notebook 05 (Figure 4) and of the ablation scores of notebook 06.</param>
public sealed record Profile(
    ProfileName Name,
    int ImagesShown,
    int ImagesForStatistics,
    UNetConfig Network,
    TrainingOptions Training,
    long TrainingSteps,
    int? TrainingImages,
    int SampleEvery,
    int SamplerSteps,
    int AblationSteps,
    int EvaluationSamples,
    int[] NfeSweep,
    int ComparisonNfe)
{
    /// <summary>The environment variable that selects the profile.</summary>
    public const string EnvironmentVariable = "SOFT_DIFFUSION_PROFILE";

    /// <summary>The environment variable that turns the profile into a <see cref="Trial"/> of that many training steps.</summary>
    public const string TrialStepsVariable = "SOFT_DIFFUSION_TRIAL_STEPS";

    /// <summary>Training steps of every run when this is a <see cref="Trial"/>; null for the profile itself.</summary>
    public int? TrialSteps { get; init; }

    /// <summary>The profile's name in run folders and messages: "cpu", "paper", ...; a trial adds "-trial", so its runs never
    /// mix with the profile's own.</summary>
    public string FolderName => Name.ToString().ToLowerInvariant() + (TrialSteps is null ? "" : "-trial");

    /// <summary>
    /// A trial of this profile, to check on a small machine that its notebooks and tools run before committing hours or a
    /// GPU to it: the profile's network (fitted to the data), recipes, data and image sizes, but <paramref name="steps"/>
    /// training steps per run (ablations too), batches of at most 8, the smoke profile's statistics, score and NFE counts,
    /// and sample grids of <see cref="TrialImagesShown"/> images from a <see cref="TrialSamplerSteps"/>-step sampler (the
    /// paper's U-Net costs far more per image than the smoke profile's, and a trial only proves that cells run).
    /// Its runs go to their own folders (<see cref="FolderName"/>). Set by SOFT_DIFFUSION_TRIAL_STEPS.
    /// </summary>
    /// <param name="steps">Training steps of every run (at least 1).</param>
    public Profile Trial(int steps) => steps < 1
        ? throw new ArgumentOutOfRangeException(nameof(steps), steps, "Expected at least 1 training step for a trial.")
        : WithTrainingSteps(steps).TrialOf(steps);

    // The trial's counts on top of its training budget (see Trial).
    Profile TrialOf(int steps) => this with
    {
        TrialSteps = steps,
        AblationSteps = steps,
        Training = Training with
        {
            BatchSize = Math.Min(Training.BatchSize, 8),
            WarmupSteps = Math.Min(Training.WarmupSteps, steps),
        },
        ImagesShown = TrialImagesShown,
        ImagesForStatistics = Smoke.ImagesForStatistics,
        SampleEvery = 0,
        SamplerSteps = TrialSamplerSteps,
        EvaluationSamples = Smoke.EvaluationSamples,
        NfeSweep = Smoke.NfeSweep,
        ComparisonNfe = Smoke.ComparisonNfe,
    };

    /// <summary>Images in a sample grid of a <see cref="Trial"/>.</summary>
    public const int TrialImagesShown = 4;

    /// <summary>Steps (NFE) of the sampler of a <see cref="Trial"/>'s sample grids.</summary>
    public const int TrialSamplerSteps = 4;

    /// <summary>
    /// This profile with a training budget of <paramref name="steps"/> updates: the learning rate's cosine decay (when
    /// the profile decays it) then ends with the run, so a longer run is a run of its own, not the profile's run
    /// continued past its decay. Its default run folder says so (<see cref="IsStandardBudget"/>).
    /// </summary>
    /// <param name="steps">Updates of a complete run (at least 1).</param>
    public Profile WithTrainingSteps(long steps) => steps < 1
        ? throw new ArgumentOutOfRangeException(nameof(steps), steps, "Expected a training budget of at least 1 step.")
        : this with
        {
            TrainingSteps = steps,
            Training = Training with { DecaySteps = Training.DecaySteps == 0 ? 0 : steps },
        };

    /// <summary>This profile with <paramref name="blocks"/> residual blocks per level of its U-Net (the recipe study's
    /// depth arm as a switch of a full run). Its default run folder says so (<see cref="IsStandardNetwork"/>).</summary>
    /// <param name="blocks">Blocks per level (at least 1).</param>
    public Profile WithBlocksPerLevel(int blocks) => blocks < 1
        ? throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "Expected at least 1 residual block per level.")
        : this with { Network = Network with { BlocksPerLevel = blocks } };

    /// <summary>This profile with each per-sample loss divided by the running mean of the loss at its t
    /// (<see cref="TrainingOptions.NormaliseLossPerTime"/>, the recipe study's loss-normalised arm as a switch of a full
    /// run). Its default run folder says so (<see cref="IsStandardLossWeighting"/>).</summary>
    public Profile WithLossNormalisedPerTime() => this with { Training = Training with { NormaliseLossPerTime = true } };

    /// <summary>This profile with the recipe study's optimiser arm at its budget: Adam's learning rate 2e-3 and beta2 0.99,
    /// twice the batch for half the steps (the same training images), the cosine decay over those steps when the profile
    /// decays, and an EMA half-life of 10% of the run. Its default run folder says so (<see cref="IsStandardOptimiser"/>;
    /// the halved budget adds -&lt;N&gt;steps).</summary>
    public Profile WithStudyOptimiser()
    {
        long steps = Math.Max(1, TrainingSteps / 2);
        var halved = WithTrainingSteps(steps);
        return halved with
        {
            Training = halved.Training with { LearningRate = 2e-3, AdamBeta2 = 0.99, BatchSize = 2 * Training.BatchSize, EmaHalfLife = steps / 10.0 },
        };
    }

    /// <summary>Whether the optimiser is the named profile's own (not changed by <see cref="WithStudyOptimiser"/>).</summary>
    public bool IsStandardOptimiser => Parse(Name.ToString()).Training is var own &&
        (Training.LearningRate, Training.AdamBeta2, Training.BatchSize, Training.EmaHalfLife) == (own.LearningRate, own.AdamBeta2, own.BatchSize, own.EmaHalfLife);

    /// <summary>Whether the loss is weighted as in the named profile (not changed by <see cref="WithLossNormalisedPerTime"/>).</summary>
    public bool IsStandardLossWeighting => Training.NormaliseLossPerTime == Parse(Name.ToString()).Training.NormaliseLossPerTime;

    /// <summary>Whether the network is the named profile's own (not changed by <see cref="WithBlocksPerLevel"/>).</summary>
    public bool IsStandardNetwork => Network == Parse(Name.ToString()).Network;

    /// <summary>Whether the training budget is the named profile's own (not changed by <see cref="WithTrainingSteps"/>
    /// outside a <see cref="Trial"/>).</summary>
    public bool IsStandardBudget => TrialSteps is not null || TrainingSteps == Parse(Name.ToString()).TrainingSteps;

    /// <summary>Seconds: the tiny U-Net for 20 steps of batch 16 on 512 images, a 10-step sampler; ablations of 4
    /// steps, scores of 16 samples (a singular covariance, flagged as such) at 2 and 4 NFE.</summary>
    public static Profile Smoke { get; } = new(ProfileName.Smoke, ImagesShown: 16, ImagesForStatistics: 500,
        Network: UNetConfig.Tiny(1),
        Training: new TrainingOptions(LearningRate: 1e-3, WarmupSteps: 5, BatchSize: 16, LogEvery: 5, CheckpointEvery: 0),
        TrainingSteps: 20, TrainingImages: 512, SampleEvery: 10, SamplerSteps: 10,
        AblationSteps: 4, EvaluationSamples: 16, NfeSweep: [2, 4], ComparisonNfe: 4);

    /// <summary>Updates of a cpu-profile training run (batch 64: 288,000 images, 4.8 epochs of the 60k train split).</summary>
    public const int CpuTrainingSteps = 4500;

    /// <summary>Strong models on a 2-core CPU: the cpu U-Net (1.0 M parameters), batch 64, <see cref="CpuTrainingSteps"/>
    /// steps with the learning rate decayed to 0 by a cosine over the run (an hour or more per run on one core; the
    /// trained models ship in data/models, so notebooks 05-07 need not train), a grid of 64 samples every 1,000 steps
    /// with a 100-step sampler; ablations of 400 steps each; scores of 2,000 samples (FID with a bootstrap interval),
    /// FID against NFE at 10, 20, 50, 100 and 200, samplers compared at 50.</summary>
    public static Profile Cpu { get; } = new(ProfileName.Cpu, ImagesShown: 64, ImagesForStatistics: 10_000,
        Network: UNetConfig.Cpu(1),
        Training: TrainingOptions.Cpu with { DecaySteps = CpuTrainingSteps },
        TrainingSteps: CpuTrainingSteps, TrainingImages: null, SampleEvery: 1000, SamplerSteps: 100,
        AblationSteps: 400, EvaluationSamples: 2000, NfeSweep: [10, 20, 50, 100, 200], ComparisonNfe: 50);

    /// <summary>CelebA-64 at the paper's scale: the NCSN++-size U-Net, batch 128, score_sde's 1.3 M CelebA
    /// iterations (the paper does not state its own), a 300-step sampler (Figure 3's best NFE); 50,000 samples per
    /// score and Figure 3's NFE grid.</summary>
    public static Profile Paper { get; } = new(ProfileName.Paper, ImagesShown: 64, ImagesForStatistics: 50_000,
        Network: UNetConfig.Paper(3),
        Training: new TrainingOptions(),
        TrainingSteps: 1_300_000, TrainingImages: null, SampleEvery: 10_000, SamplerSteps: 300,
        AblationSteps: 100_000, EvaluationSamples: 50_000, NfeSweep: [50, 100, 200, 300, 600, 1000], ComparisonNfe: 300);

    /// <summary>The profile named <paramref name="name"/> (case-insensitive).</summary>
    public static Profile Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "smoke" => Smoke,
        "cpu" => Cpu,
        "paper" => Paper,
        _ => throw new ArgumentException($"Unknown profile '{name}': expected smoke, cpu or paper (set {EnvironmentVariable}).", nameof(name)),
    };

    /// <summary>The profile from SOFT_DIFFUSION_PROFILE, else cpu: never paper unless SOFT_DIFFUSION_PROFILE=paper,
    /// since the paper profile starts a 1.3 M-step training run in notebook 04. Whether CUDA is available does not
    /// change the profile, only the device (<c>Workbook.Init</c> trains the cpu scale on the GPU then).</summary>
    /// <param name="cudaAvailable">Whether CUDA is available (kept for callers; it no longer selects paper).</param>
    /// <remarks>SOFT_DIFFUSION_TRIAL_STEPS=N makes it a <see cref="Trial"/> of N steps.</remarks>
    /// <exception cref="ArgumentException">SOFT_DIFFUSION_PROFILE names no profile (the message lists the three), or
    /// SOFT_DIFFUSION_TRIAL_STEPS is not a positive whole number.</exception>
    public static Profile FromEnvironment(bool cudaAvailable)
    {
        var profile = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } name ? Parse(name) : Cpu;
        return Environment.GetEnvironmentVariable(TrialStepsVariable) switch
        {
            null or "" => profile,
            var text when int.TryParse(text, out int steps) && steps >= 1 => profile.Trial(steps),
            var text => throw new ArgumentException($"{TrialStepsVariable} must be a positive whole number of training steps, got '{text}'."),
        };
    }
}
