using SoftDiffusion.Experiments;
using SoftDiffusion.Workbook;

// Trains the profile's U-Net on Fashion-MNIST with a recipe (default blur: Soft Score Matching + blur) into a run
// directory, resuming it when it holds a checkpoint, with a sample grid every N steps. Usage:
//   dotnet run -c Release --project tools/Train -- [--profile smoke|cpu] [--recipe NAME] [--ablation] [--steps N]
//       [--run DIR] [--sample-every N]
// Default: the run's remaining steps, into runs/fashion-<recipe>-<profile> (with --ablation: the profile's ablation
// budget into runs/ablation-<recipe>-<profile>, as notebook 06; smoke: a temporary folder).
string recipes = string.Join("|", FashionRecipe.All.Select(r => r.Name));
string usage = $"Usage: --profile smoke|cpu, --recipe {recipes}, --ablation, --steps N, --run DIR, --sample-every N";
var profile = Profile.Cpu;
var recipe = FashionRecipe.Blur;
bool ablation = false;
long? steps = null;
string? runDirectory = null;
int? sampleEvery = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {usage}");
    switch (args[i])
    {
        case "--profile": profile = Profile.Parse(Value()); break;
        case "--recipe":
            string name = Value();
            recipe = FashionRecipe.All.FirstOrDefault(r => r.Name == name)
                ?? throw new ArgumentException($"Unknown recipe '{name}'. {usage}");
            break;
        case "--ablation": ablation = true; break;
        case "--steps": steps = long.Parse(Value()); break;
        case "--run": runDirectory = Path.GetFullPath(Value()); break;
        case "--sample-every": sampleEvery = int.Parse(Value()); break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'. {usage}"); return 64;
    }
}

Workbook.Init(profile);
using var training = ablation && runDirectory is null
    ? ProfileTraining.OpenAblation(profile, recipe)
    : ProfileTraining.Open(profile, runDirectory, sampleEvery: sampleEvery, recipe: recipe, totalSteps: ablation ? profile.AblationSteps : null);
Console.WriteLine(training.Describe());
long toTrain = steps ?? training.RemainingSteps;
var progress = new TrainingProgress(training.Trainer.Step, training.Trainer.Step + toTrain);
training.Train(toTrain, progress.Report);
progress.Finish();
Console.WriteLine($"Step {training.Trainer.Step}: {progress.Current?.ImagesPerSecond:F1} images/s over this session; samples written to {training.SaveSamples()}");
return 0;
