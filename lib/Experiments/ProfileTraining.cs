using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Runtime;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using SoftDiffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// A training run at a profile's scale (notebooks 04-07 and tools/Train) on a <see cref="TrainingSet"/> (Fashion-MNIST
/// by default, CelebA-64 in notebook 04 when configured): the recipe's corruption, noise schedule and loss (default
/// <see cref="TrainingRecipe.Blur"/>: Soft Score Matching with 32 blur levels selected from the data and the geometric
/// noise 0.01 .. 0.05), the recipe's denoiser (x0_hat = phi + x_t for blur), the profile's U-Net with the data's
/// number of channels, trained into a run directory that it resumes, with sample grids from the Momentum sampler
/// (Algorithm 2) started at the recipe's p_1, using the EMA network and fixed seeds so grids of different steps are comparable.
/// </summary>
public sealed class ProfileTraining : IDisposable
{
    /// <summary>Seed of the sample grids' PerSampleNoise (start x_1 and the sampler's noise).</summary>
    public const long SampleSeed = 1;

    /// <summary>The file in the run folder that records the recipe (checked on every open).</summary>
    public const string RecipeFileName = "recipe.txt";

    readonly UNet network;

    /// <summary>The profile whose numbers are used.</summary>
    public Profile Profile { get; }

    /// <summary>What is trained: corruption, noise, loss.</summary>
    public TrainingRecipe Recipe { get; }

    /// <summary>The images trained on (disposed with the run).</summary>
    public TrainingSet Data { get; }

    /// <summary>Images actually trained on (the profile may use only the first ones).</summary>
    public int TrainingImageCount => Data.Count;

    /// <summary>The run's files.</summary>
    public RunDirectory Run { get; }

    /// <summary>The trainer (its Step is the run's step, restored on resume).</summary>
    public Trainer Trainer { get; }

    /// <summary>The recipe's C_t, sigma_t and p_1, fitted once on the profile's statistics images
    /// (<see cref="Profile.ImagesForStatistics"/>; blur levels selected on them).</summary>
    public Experiment Experiment { get; }

    /// <summary>C_t of the recipe for the data's image size.</summary>
    public ICorruption Corruption => Experiment.Corruption;

    /// <summary>sigma_t of the recipe.</summary>
    public INoiseSchedule Noise => Experiment.Noise;

    /// <summary>p_1 of the recipe.</summary>
    public IStartDistribution Start => Experiment.Start;

    /// <summary>The recipe's denoiser on the EMA network (e.g. x0_hat = phi_EMA(x_t, t) + x_t): what the samplers use.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>Whether the run folder is a temporary one (smoke), deleted on <see cref="Dispose"/>.</summary>
    public bool IsTemporary { get; }

    /// <summary>Whether a checkpoint of the run directory was loaded.</summary>
    public bool Resumed => StartStep > 0;

    /// <summary>The run's step when it was opened: 0 for a new run, the checkpoint's step on resume.</summary>
    public long StartStep { get; }

    /// <summary>Why the run resumed from its previous checkpoint instead of the latest (also written to standard
    /// error when the run is opened); null when the latest loaded or the run is new.</summary>
    public string? ResumeWarning { get; private set; }

    /// <summary>Write a sample grid every this many steps (0: none during training).</summary>
    public int SampleEvery { get; }

    /// <summary>Steps of the complete run: the profile's <see cref="Profile.TrainingSteps"/> unless opened with another budget.</summary>
    public long TotalSteps { get; }

    /// <summary>Steps left to <see cref="TotalSteps"/>.</summary>
    public long RemainingSteps => Math.Max(0, TotalSteps - Trainer.Step);

    ProfileTraining(Profile profile, TrainingRecipe recipe, TrainingSet data, RunDirectory run, Device device, int sampleEvery,
        long totalSteps, bool temporary)
    {
        (Profile, Recipe, Data, Run, SampleEvery, TotalSteps) = (profile, recipe, data, run, sampleEvery, totalSteps);
        var config = NetworkFor(profile, data);
        recipe.Validate();
        CheckRecipe(run, recipe);
        using (var statistics = data.StatisticsImages(profile.ImagesForStatistics))
            Experiment = Experiment.Fit(recipe, statistics);
        manual_seed(profile.Training.Seed);   // the initial weights depend on the seed only, not on what ran before
        network = new UNet(config);
        network.to(device);
        Trainer = new Trainer(network, Experiment.Denoiser(network), Experiment.Loss(), data.Images, profile.Training, run);
        Denoiser = Experiment.Denoiser(Trainer.EmaNetwork);
        if (Trainer.TryResume(ReportResumeWarning)) StartStep = Trainer.Step;
        IsTemporary = temporary;
    }

    /// <summary>Opens (resuming if it holds a checkpoint) the run of <paramref name="recipe"/> for <paramref name="profile"/>.</summary>
    /// <param name="profile">The profile; its network gets the data's number of channels.</param>
    /// <param name="runDirectory">The run folder; default <see cref="DefaultRunDirectory"/> (smoke: a temporary folder,
    /// deleted on <see cref="Dispose"/>).</param>
    /// <param name="data">The images, owned (disposed) by the run from here on; default
    /// <see cref="TrainingSet.LoadFashionMnist"/> (notebook 04 and tools/Train pass <see cref="TrainingSet.Load"/>).</param>
    /// <param name="sampleEvery">Overrides the profile's <see cref="Profile.SampleEvery"/>.</param>
    /// <param name="device">Where to train; default CUDA when available, else the CPU.</param>
    /// <param name="recipe">What to train; default <see cref="TrainingRecipe.Blur"/>.</param>
    /// <param name="totalSteps">The run's budget; default the profile's <see cref="Profile.TrainingSteps"/>.</param>
    /// <exception cref="ArgumentException">The folder holds a run of another recipe, network or image shape (the message
    /// names the difference), or the images do not fit the network.</exception>
    public static ProfileTraining Open(Profile profile, string? runDirectory = null, TrainingSet? data = null,
        int? sampleEvery = null, Device? device = null, TrainingRecipe? recipe = null, long? totalSteps = null)
    {
        try
        {
            if (sampleEvery < 0) throw new ArgumentOutOfRangeException(nameof(sampleEvery), sampleEvery, "Expected sampleEvery >= 0.");
            if (totalSteps < 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "Expected totalSteps >= 0.");
            data ??= TrainingSet.LoadFashionMnist(profile);
        }
        catch
        {
            data?.Dispose();
            throw;
        }
        recipe ??= TrainingRecipe.Blur;
        bool temporary = runDirectory is null && profile.Name == ProfileName.Smoke;
        var run = new RunDirectory(runDirectory ?? DefaultRunDirectory(profile, recipe, data.Name));
        try
        {
            return new ProfileTraining(profile, recipe, data, run, device ?? (cuda.is_available() ? CUDA : CPU),
                sampleEvery ?? profile.SampleEvery, totalSteps ?? profile.TrainingSteps, temporary);
        }
        catch
        {
            data.Dispose();
            if (temporary) Directory.Delete(run.Root, recursive: true);
            throw;
        }
    }

    /// <summary>Opens the Fashion-MNIST ablation run of <paramref name="recipe"/> (notebook 06): <see cref="Profile.AblationSteps"/>
    /// steps in runs/ablation-&lt;recipe&gt;-&lt;profile&gt;, so every ablation has the same training budget.</summary>
    /// <param name="profile">The profile (its <see cref="Profile.AblationSteps"/> is the budget).</param>
    /// <param name="recipe">The ablated recipe.</param>
    /// <param name="data">Fashion-MNIST images (owned by the run); default <see cref="TrainingSet.LoadFashionMnist"/>.</param>
    /// <param name="device">Where to train; default CUDA when available, else the CPU.</param>
    public static ProfileTraining OpenAblation(Profile profile, TrainingRecipe recipe, TrainingSet? data = null, Device? device = null)
    {
        if (data is { Name: not TrainingSet.FashionMnistName })
        {
            data.Dispose();
            throw new ArgumentException($"Expected Fashion-MNIST for an ablation run (notebook 06 scores Fashion-MNIST), got {data.Name}.", nameof(data));
        }
        return Open(profile, profile.Name == ProfileName.Smoke ? null : AblationDirectory(profile, recipe), data, sampleEvery: 0, device, recipe, profile.AblationSteps);
    }

    /// <summary>runs/ablation-&lt;recipe&gt;-&lt;profile&gt; under <see cref="ProjectPaths.Runs"/> (Fashion-MNIST).</summary>
    public static string AblationDirectory(Profile profile, TrainingRecipe recipe) =>
        Path.Combine(ProjectPaths.Runs, $"ablation-{recipe.Name}-{profile.FolderName}");

    /// <summary>runs/&lt;data&gt;-&lt;recipe&gt;-&lt;profile&gt; (e.g. runs/fashion-blur-cpu, runs/celeba-blur-paper) under
    /// <see cref="ProjectPaths.Runs"/>, with -&lt;N&gt;steps appended for a budget other than the profile's own
    /// (<see cref="Profile.WithTrainingSteps"/>), -blocks&lt;N&gt; for another depth of its network
    /// (<see cref="Profile.WithBlocksPerLevel"/>), -loss-normalised for a loss normalised per t
    /// (<see cref="Profile.WithLossNormalisedPerTime"/>), -optimiser for the study's optimiser (<see cref="Profile.WithStudyOptimiser"/>)
    /// and -seed&lt;N&gt; when the training seed is not 0 (a second seed or budget
    /// is a second run, never a resume of the first); for smoke a fresh temporary folder, so every smoke run starts at step 0.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="recipe">The recipe (default <see cref="TrainingRecipe.Blur"/>).</param>
    /// <param name="data"><see cref="TrainingSet.Name"/> (default Fashion-MNIST).</param>
    public static string DefaultRunDirectory(Profile profile, TrainingRecipe? recipe = null, string data = TrainingSet.FashionMnistName) =>
        profile.Name == ProfileName.Smoke
            ? Path.Combine(Path.GetTempPath(), $"soft-diffusion-smoke-{Guid.NewGuid():N}")
            : Path.Combine(ProjectPaths.Runs, $"{data}-{(recipe ?? TrainingRecipe.Blur).Name}-{profile.FolderName}" +
                (profile.IsStandardBudget ? "" : $"-{profile.TrainingSteps}steps") +
                (profile.IsStandardNetwork ? "" : $"-blocks{profile.Network.BlocksPerLevel}") +
                (profile.IsStandardLossWeighting ? "" : "-loss-normalised") +
                (profile.IsStandardOptimiser ? "" : "-optimiser") +
                (profile.Training.Seed == 0 ? "" : $"-seed{profile.Training.Seed}"));

    // The profile's network with the data's channels, fitted to the data's image size (the paper's 4-level U-Net keeps
    // 3 levels on 28 x 28 Fashion-MNIST; Describe says so).
    static UNetConfig NetworkFor(Profile profile, TrainingSet data) =>
        (profile.Network with { ImageChannels = (int)data.ImageShape[0] }).FittedTo(data.ImageShape[1], data.ImageShape[2]);

    // The run folder records its recipe; opening it with another recipe names the first difference.
    static void CheckRecipe(RunDirectory run, TrainingRecipe recipe)
    {
        string path = Path.Combine(run.Root, RecipeFileName);
        var expected = recipe.Fingerprint().Select(p => $"{p.Name}: {p.Value}").ToList();
        if (!File.Exists(path))
        {
            AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", expected) + "\n")));
            return;
        }
        var found = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        int differs = Enumerable.Range(0, Math.Max(found.Count, expected.Count))
            .FirstOrDefault(i => i >= found.Count || i >= expected.Count || found[i] != expected[i], -1);
        if (differs >= 0)
            throw new ArgumentException(
                $"{run.Root} holds a run of another recipe: its {RecipeFileName} says '{(differs < found.Count ? found[differs] : "(nothing)")}', " +
                $"this recipe '{(differs < expected.Count ? expected[differs] : "(nothing)")}'. Open it with its own recipe or choose another folder.");
    }

    /// <summary>What is trained on what, and from which step: one line per fact.</summary>
    public string Describe() => string.Join(Environment.NewLine,
        $"Profile {Profile.FolderName}: U-Net with {network.ParameterCount():N0} parameters{FittedNote()}, batch {Profile.Training.BatchSize}, {TotalSteps} steps in all",
        $"Recipe {Recipe.Name}: {Recipe.Describe()}",
        $"Data: {Data.Description}",
        $"Run: {Run.Root} ({(Resumed ? $"resumed at step {StartStep}" : "new")}), {RemainingSteps} of {TotalSteps} steps to go");

    string FittedNote() => network.Config.Levels == Profile.Network.Levels ? ""
        : $" ({network.Config.Levels} of the profile's {Profile.Network.Levels} resolution levels: {Data.ImageShape[1]} x {Data.ImageShape[2]} images " +
          $"do not halve {Profile.Network.Levels - 1} times)";

    /// <summary>Trains <paramref name="steps"/> more steps, writing a sample grid every <see cref="SampleEvery"/> steps.
    /// When <paramref name="cancellation"/> is cancelled (Ctrl-C in tools/Train, the kernel's interrupt in a notebook
    /// cell) training stops at the next step boundary and the checkpoint of that step is written
    /// (<see cref="StoppedMessage"/> says how to resume).</summary>
    /// <param name="steps">Updates to run.</param>
    /// <param name="onStep">Called after every update, before a due sample grid (e.g. a progress display).</param>
    /// <param name="cancellation">Stops training early; the method then returns the steps done.</param>
    /// <returns>The steps trained: <paramref name="steps"/>, or fewer when <paramref name="cancellation"/> stopped it.</returns>
    public long Train(long steps, Action<TrainingStepReport>? onStep = null, CancellationToken cancellation = default) =>
        Trainer.Train(steps, report =>
        {
            onStep?.Invoke(report);
            if (SampleEvery > 0 && report.Step % SampleEvery == 0) SaveSamples();
        }, cancellation);

    /// <summary>What a run stopped on request says: where its checkpoint is and how to resume.</summary>
    public string StoppedMessage() => IsTemporary
        ? $"Stopped at step {Trainer.Step} on request. This smoke run's folder is temporary (deleted when the run is disposed): give a run folder to be able to resume."
        : $"Stopped at step {Trainer.Step} on request; its checkpoint is {Run.LatestCheckpointPath}. Opening the same run folder again " +
          $"resumes at step {Trainer.Step} (run the training cell again, or tools/Train with --run {Run.Root} and the same profile and recipe).";

    void ReportResumeWarning(string message)
    {
        ResumeWarning = message;
        Console.Error.WriteLine(message);
    }

    /// <summary>Samples of the EMA network: <see cref="Profile.ImagesShown"/> images, Momentum sampler with
    /// <see cref="Profile.SamplerSteps"/> steps from x_1 ~ p_1, seed <see cref="SampleSeed"/> (the same at every step).</summary>
    public ImageGrid Samples()
    {
        using var x = Generate(new MomentumSampler(), Profile.ImagesShown, Profile.SamplerSteps, SampleSeed);
        return ImageGrid.From(x.X, columns: (int)Math.Ceiling(Math.Sqrt(Profile.ImagesShown)));
    }

    /// <summary>The EMA network at the current step with the run's C_t, sigma_t and p_1, for samplers and scores
    /// (a view: it shares the run's network; disposing it frees only what it made itself).</summary>
    public TrainedModel Model => new(Experiment, Trainer.EmaNetwork, Trainer.Step, Data.Label,
        Path.Combine(Run.Root, "scores"), () => Data.StatisticsImages(Profile.ImagesForStatistics));

    /// <summary>Draws samples of the EMA network (see <see cref="TrainedModel.Generate"/>).</summary>
    public SamplerResult Generate(ISampler sampler, int count, int steps, long seed, long firstIndex = 0, Action<SamplerStep>? callback = null)
    {
        using var model = Model;
        return model.Generate(sampler, count, steps, seed, firstIndex, callback);
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
        Experiment.Dispose();
        Data.Dispose();
        if (IsTemporary && Directory.Exists(Run.Root)) Directory.Delete(Run.Root, recursive: true);
    }
}
