using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Workbook;

// Trains the profile's U-Net with a recipe (default blur: Soft Score Matching + blur) into a run directory, resuming
// it when it holds a checkpoint, with a sample grid every N steps. The data is that of notebook 04: CelebA-64 in the
// paper profile or when SOFT_DIFFUSION_CELEBA names a CelebA folder, else Fashion-MNIST. Usage:
//   dotnet run -c Release --project tools/Train -- [--profile smoke|cpu|paper] [--recipe NAME] [--ablation] [--steps N]
//       [--run DIR] [--sample-every N] [--arm NAME] [--export FILE] [--export-pytorch FILE] [--seed N] [--total-steps N]
//       [--blocks-per-level N] [--loss-normalised] [--optimiser]
// --export writes the EMA network with C_t and p_1 as a compact model file (ShippedModel) after training (--steps 0: now).
// --export-pytorch writes the EMA network's weights as a PyTorch state dict (torch.load-able; the U-Net's parameter
// names, UNet.ExportPyTorch), for use outside this workbook; UNet.ImportPyTorch reads it back.
// --arm trains an arm of the recipe study (RecipeStudy) for its budget into runs/study-<arm> (cpu scale, Fashion-MNIST).
// Default: the run's remaining steps, into runs/<data>-<recipe>-<profile> (with --ablation: Fashion-MNIST for the
// profile's ablation budget into runs/ablation-<recipe>-<profile>, as notebook 06; smoke: a temporary folder).
// --seed N sets the training seed (initial weights, data order, t and noise draws; default 0); a run of another seed
// gets its own default folder (runs/<data>-<recipe>-<profile>-seed<N>), so seeds can be compared.
// --total-steps N sets the run's budget (the profile's own by default; cpu: 4,500): the learning rate's cosine decay
// ends at step N, and the default folder gets -<N>steps appended, so a longer run never continues the profile's run.
// --blocks-per-level N gives the profile's U-Net N residual blocks per level (cpu: 2); the default folder gets -blocks<N>.
// --loss-normalised divides each per-sample loss by the running mean of the loss at its t (the recipe study's
// loss-normalised arm for a full run); the default folder gets -loss-normalised.
// --optimiser trains with the study's optimiser arm: lr 2e-3, Adam beta2 0.99, twice the batch for half the steps (the
// same images), EMA half-life 10% of the run; the default folder gets -<N>steps-optimiser.
// --steps N trains N more steps of it now (a run can be trained in segments, e.g. to export models along the way).
// --checkpoint-every N / --checkpoint-minutes M override the profile's checkpoint interval (steps / wall time).
// Ctrl-C or SIGTERM stops at the next step boundary and writes that step's checkpoint; running the same command again
// resumes there. A second Ctrl-C stops at once.
string recipes = string.Join("|", TrainingRecipe.All.Select(r => r.Name));
string usage = $"Usage: --profile smoke|cpu|paper, --recipe {recipes}, --ablation, --steps N, --run DIR, --sample-every N, --export FILE, --export-pytorch FILE, " +
    $"--checkpoint-every N, --checkpoint-minutes M, --seed N, --total-steps N, --blocks-per-level N, --loss-normalised, --optimiser, --arm {string.Join("|", RecipeStudy.Arms.Select(a => a.Name))}";
// The exit code when the run cannot be opened (EX_DATAERR): its folder holds another run or a damaged checkpoint, or the data is missing.
const int CannotOpen = 65;

var profile = Profile.Cpu;
var recipe = TrainingRecipe.Blur;
bool ablation = false, lossNormalised = false, optimiser = false;
long? steps = null;
string? runDirectory = null;
int? sampleEvery = null;
int? checkpointEvery = null;
double? checkpointMinutes = null;
long? seed = null;
long? totalSteps = null;
int? blocks = null;
StudyArm? arm = null;
string? export = null;
string? exportPyTorch = null;
if (ToolArguments.Read(args, usage, (option, value) =>
{
    switch (option)
    {
        case "--profile": profile = Profile.Parse(value()); break;
        case "--recipe": recipe = TrainingRecipe.Find(value()); break;
        case "--ablation": ablation = true; break;
        case "--steps": steps = long.Parse(value()); break;
        case "--run": runDirectory = Path.GetFullPath(value()); break;
        case "--sample-every": sampleEvery = int.Parse(value()); break;
        case "--checkpoint-every": checkpointEvery = int.Parse(value()); break;
        case "--checkpoint-minutes": checkpointMinutes = double.Parse(value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--seed": seed = long.Parse(value()); break;
        case "--total-steps": totalSteps = long.Parse(value()); break;
        case "--blocks-per-level": blocks = int.Parse(value()); break;
        case "--loss-normalised": lossNormalised = true; break;
        case "--optimiser": optimiser = true; break;
        case "--arm": arm = RecipeStudy.Find(value()); break;
        case "--export": export = Path.GetFullPath(value()); break;
        case "--export-pytorch": exportPyTorch = Path.GetFullPath(value()); break;
        default: return false;
    }
    return true;
}) is { } usageError) return usageError;

if ((totalSteps is not null || blocks is not null || lossNormalised || optimiser) && (arm is not null || ablation))
{
    Console.Error.WriteLine($"--total-steps, --blocks-per-level, --loss-normalised and --optimiser change a profile run; a study arm and an ablation have their own. {usage}");
    return ToolArguments.UsageError;
}
if (totalSteps is { } budget) profile = profile.WithTrainingSteps(budget);
if (blocks is { } depth) profile = profile.WithBlocksPerLevel(depth);
if (lossNormalised) profile = profile.WithLossNormalisedPerTime();
if (optimiser) profile = profile.WithStudyOptimiser();
if (arm is not null)
{
    profile = profile with { Network = arm.Network, Training = arm.Training };
    recipe = arm.Recipe;
    runDirectory ??= Path.Combine(ProjectPaths.Runs, $"study-{arm.Name}" + (seed is null or 0 ? "" : $"-seed{seed}"));
}
profile = profile with { Training = profile.Training with
{
    CheckpointEvery = checkpointEvery ?? profile.Training.CheckpointEvery,
    CheckpointMinutes = checkpointMinutes ?? profile.Training.CheckpointMinutes,
    Seed = seed ?? profile.Training.Seed,
} };
Workbook.Init(profile);
using var stop = new StopSignals();
var preparation = new PreparationLine();
ProfileTraining opened;
try
{
    opened = arm is not null
        ? ProfileTraining.Open(profile, runDirectory, TrainingSet.LoadFashionMnist(profile), sampleEvery: 0, recipe: recipe, totalSteps: arm.Steps)
        : ablation && runDirectory is null
        ? ProfileTraining.OpenAblation(profile, recipe)
        : ProfileTraining.Open(profile, runDirectory, ablation ? TrainingSet.LoadFashionMnist(profile) : TrainingSet.Load(profile, preparation),
            sampleEvery: sampleEvery, recipe: recipe, totalSteps: ablation ? profile.AblationSteps : null);
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or DirectoryNotFoundException or FileNotFoundException)
{
    // A run folder of other settings, a damaged checkpoint, missing data: the message says which and what to do.
    if (preparation.Reported) Console.WriteLine();
    Console.Error.WriteLine($"Cannot train: {e.Message}");
    return CannotOpen;
}
using var training = opened;
if (preparation.Reported) Console.WriteLine();
Console.WriteLine(training.Describe());
long toTrain = steps ?? training.RemainingSteps;
var progress = new TrainingProgress(training.Trainer.Step, training.Trainer.Step + toTrain);
long trained = training.Train(toTrain, progress.Report, stop.Token);
progress.Finish();
if (trained < toTrain)
{
    Console.WriteLine(training.StoppedMessage());
    if (!training.IsTemporary) Console.WriteLine($"Resume with: dotnet run -c Release --project tools/Train -- {ResumeArguments(args, toTrain - trained)}");
    return stop.ExitCode;
}
if (export is not null)
{
    using var model = training.Model;
    ShippedModel.Save(export, model, training.Data.ImageShape);
    Console.WriteLine($"Model of step {model.Step} written to {export} ({new FileInfo(export).Length / 1024} KiB).");
}
if (exportPyTorch is not null)
{
    using var model = training.Model;
    model.Network.ExportPyTorch(exportPyTorch);
    Console.WriteLine($"EMA network of step {model.Step} written to {exportPyTorch} as a PyTorch state dict.");
}
string samples = training.SaveSamples();
Console.WriteLine($"Step {training.Trainer.Step}: {progress.Current?.ImagesPerSecond:F1} images/s over this session; " +
    (training.IsTemporary ? "a smoke run's folder is temporary and deleted now (pass --run DIR to keep it)" : $"samples written to {samples}"));
return 0;

// The same command with --steps (when given) reduced to the steps still to go, so the resumed run ends where this one would have.
static string ResumeArguments(string[] args, long remaining)
{
    var copy = args.ToArray();
    int at = Array.IndexOf(copy, "--steps");
    if (at >= 0 && at + 1 < copy.Length) copy[at + 1] = remaining.ToString();
    return string.Join(" ", copy);
}

// Reports the CelebA cache preparation (the first CelebA run reads every JPEG of the train split once), on one line.
sealed class PreparationLine : IProgress<int>
{
    public bool Reported { get; private set; }

    public void Report(int value)
    {
        lock (this)
        {
            Console.Write($"\rPreparing the CelebA-64 cache: {value} images");
            Reported = true;
        }
    }
}
