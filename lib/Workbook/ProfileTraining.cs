using SoftDiffusion.Corruptions;
using SoftDiffusion.Data;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using SoftDiffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Workbook;

/// <summary>
/// The workbook's Fashion-MNIST training run at a profile's scale (notebook 04 and tools/Train): Soft Score
/// Matching (Section 3.2) with the blur corruption (32 log-spaced levels, BlurSchedule.LogSpaced) and the geometric
/// noise schedule at its defaults, the residual denoiser x0_hat = phi + x_t, trained into a run directory that it
/// resumes, with sample grids from the Momentum sampler (Algorithm 2) started at the DCT-Gaussian p_1 [choice],
/// using the EMA network and fixed seeds so grids of different steps are comparable.
/// </summary>
public sealed class ProfileTraining : IDisposable
{
    /// <summary>Seed of the sample grids' PerSampleNoise (start x_1 and the sampler's noise).</summary>
    public const long SampleSeed = 1;

    readonly UNet network;
    readonly Tensor images;

    /// <summary>The profile whose numbers are used.</summary>
    public Profile Profile { get; }

    /// <summary>The split trained on: the 60k training split when found, else the embedded 10k test split.</summary>
    public FashionMnist Data { get; }

    /// <summary>Images actually trained on (the profile may use only the first ones).</summary>
    public int TrainingImageCount => (int)images.shape[0];

    /// <summary>The run's files.</summary>
    public RunDirectory Run { get; }

    /// <summary>The trainer (its Step is the run's step, restored on resume).</summary>
    public Trainer Trainer { get; }

    /// <summary>C_t: blur with 32 log-spaced levels for 28 x 28 images.</summary>
    public BlurCorruption Blur { get; }

    /// <summary>sigma_t: geometric, at its defaults.</summary>
    public GeometricNoiseSchedule Noise { get; }

    /// <summary>p_1, fitted once on the profile's statistics images.</summary>
    public DctGaussianStart Start { get; }

    /// <summary>Whether a checkpoint of the run directory was loaded.</summary>
    public bool Resumed => StartStep > 0;

    /// <summary>The run's step when it was opened: 0 for a new run, the checkpoint's step on resume.</summary>
    public long StartStep { get; }

    /// <summary>Write a sample grid every this many steps (0: none during training).</summary>
    public int SampleEvery { get; }

    /// <summary>Steps left to the profile's <see cref="Profile.TrainingSteps"/>.</summary>
    public long RemainingSteps => Math.Max(0, Profile.TrainingSteps - Trainer.Step);

    ProfileTraining(Profile profile, FashionMnist data, RunDirectory run, Device device, int sampleEvery)
    {
        (Profile, Data, Run, SampleEvery) = (profile, data, run, sampleEvery);
        if (profile.Network.ImageChannels != 1)
            throw new ArgumentException(
                $"Expected a profile whose network takes 1 channel (Fashion-MNIST), got {profile.Network.ImageChannels} ({profile.Name}). " +
                "Training on CelebA-64 (the paper profile) is not wired into the workbook yet; use the smoke or cpu profile.", nameof(profile));
        images = data.Images(0, Math.Min(data.Count, profile.TrainingImages ?? data.Count));
        Blur = new BlurCorruption(BlurSchedule.LogSpaced(height: FashionMnist.Size));
        Noise = new GeometricNoiseSchedule();
        using (var statistics = images.narrow(0, 0, Math.Min(images.shape[0], profile.ImagesForStatistics)))
            Start = DctGaussianStart.Fit(statistics, Blur, Noise);
        network = new UNet(profile.Network);
        network.to(device);
        var loss = new SoftScoreMatchingLoss(new CorruptionProcess(Blur, Noise));
        Trainer = new Trainer(network, new ResidualDenoiser(network), loss, new TensorImageDataset(images), profile.Training, run);
        if (Trainer.TryResume()) StartStep = Trainer.Step;
    }

    /// <summary>Opens (resuming if it holds a checkpoint) the run for <paramref name="profile"/>.</summary>
    /// <param name="profile">Smoke or cpu (the network must take 1 channel).</param>
    /// <param name="runDirectory">The run folder; default <see cref="DefaultRunDirectory"/>.</param>
    /// <param name="data">The images; default <see cref="LoadData"/>.</param>
    /// <param name="sampleEvery">Overrides the profile's <see cref="Profile.SampleEvery"/>.</param>
    /// <param name="device">Where to train; default CUDA when available, else the CPU.</param>
    public static ProfileTraining Open(Profile profile, string? runDirectory = null, FashionMnist? data = null,
        int? sampleEvery = null, Device? device = null)
    {
        if (sampleEvery < 0) throw new ArgumentOutOfRangeException(nameof(sampleEvery), sampleEvery, "Expected sampleEvery >= 0.");
        var run = new RunDirectory(runDirectory ?? DefaultRunDirectory(profile));
        return new ProfileTraining(profile, data ?? LoadData(), run, device ?? (cuda.is_available() ? CUDA : CPU),
            sampleEvery ?? profile.SampleEvery);
    }

    /// <summary>runs/fashion-blur-cpu (etc.) under <see cref="ProjectPaths.Runs"/>; for smoke a fresh temporary
    /// folder, so every smoke run starts at step 0.</summary>
    public static string DefaultRunDirectory(Profile profile) => profile.Name == ProfileName.Smoke
        ? Path.Combine(Path.GetTempPath(), $"soft-diffusion-smoke-{Guid.NewGuid():N}")
        : Path.Combine(ProjectPaths.Runs, $"fashion-blur-{profile.Name.ToString().ToLowerInvariant()}");

    /// <summary>The Fashion-MNIST training split (60k) when found, else the embedded test split (10k).</summary>
    public static FashionMnist LoadData()
    {
        try { return FashionMnist.Load(FashionMnistSplit.Train); }
        catch (DirectoryNotFoundException) { return FashionMnist.Load(FashionMnistSplit.Test); }
    }

    /// <summary>What is trained on what, and from which step: one line per fact.</summary>
    public string Describe() => string.Join(Environment.NewLine,
        $"Profile {Profile.Name.ToString().ToLowerInvariant()}: U-Net with {network.ParameterCount():N0} parameters, batch {Profile.Training.BatchSize}, {Profile.TrainingSteps} steps in all",
        $"Data: Fashion-MNIST {Data.Split.ToString().ToLowerInvariant()} split ({Data.Count} images from {Data.Folder}), training on {TrainingImageCount}",
        $"Run: {Run.Root} ({(Resumed ? $"resumed at step {StartStep}" : "new")}), {RemainingSteps} of {Profile.TrainingSteps} steps to go");

    /// <summary>Trains <paramref name="steps"/> more steps, writing a sample grid every <see cref="SampleEvery"/> steps.</summary>
    /// <param name="steps">Updates to run.</param>
    /// <param name="onStep">Called after every update, before a due sample grid (e.g. <see cref="TrainingProgress.Report"/>).</param>
    public void Train(long steps, Action<TrainingStepReport>? onStep = null) =>
        Trainer.Train(steps, report =>
        {
            onStep?.Invoke(report);
            if (SampleEvery > 0 && report.Step % SampleEvery == 0) SaveSamples();
        });

    /// <summary>Samples of the EMA network: <see cref="Profile.ImagesShown"/> images, Momentum sampler with
    /// <see cref="Profile.SamplerSteps"/> steps from x_1 ~ p_1, seed <see cref="SampleSeed"/> (the same at every step).</summary>
    public ImageGrid Samples()
    {
        using var noise = new PerSampleNoise(SampleSeed, Profile.ImagesShown);
        var device = network.parameters().First().device;
        using var x1 = Start.Sample(noise, device: device);
        var ema = Trainer.EmaNetwork;
        ema.eval();
        using var result = new MomentumSampler().Sample(new ResidualDenoiser(ema), Blur, Noise, x1, Profile.SamplerSteps, noise);
        return ImageGrid.From(result.X, columns: (int)Math.Ceiling(Math.Sqrt(Profile.ImagesShown)));
    }

    /// <summary>Writes <see cref="Samples"/> to the run's samples/ folder under the current step; returns the path.</summary>
    public string SaveSamples()
    {
        string path = Run.SamplePath(Trainer.Step);
        Samples().Save(path);
        return path;
    }

    public void Dispose()
    {
        Trainer.Dispose();
        network.Dispose();
        Start.Dispose();
        images.Dispose();
    }
}
