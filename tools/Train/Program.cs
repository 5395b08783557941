using SoftDiffusion.Workbook;

// Trains the profile's U-Net on Fashion-MNIST with Soft Score Matching + blur into a run directory, resuming it
// when it holds a checkpoint, with a sample grid every N steps. Usage:
//   dotnet run -c Release --project tools/Train -- [--profile smoke|cpu] [--steps N] [--run DIR] [--sample-every N]
// Default: the profile's remaining steps, into runs/fashion-blur-<profile> (smoke: a fresh temporary folder).
const string Usage = "Usage: --profile smoke|cpu, --steps N, --run DIR, --sample-every N";
var profile = Profile.Cpu;
long? steps = null;
string? runDirectory = null;
int? sampleEvery = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
    switch (args[i])
    {
        case "--profile": profile = Profile.Parse(Value()); break;
        case "--steps": steps = long.Parse(Value()); break;
        case "--run": runDirectory = Path.GetFullPath(Value()); break;
        case "--sample-every": sampleEvery = int.Parse(Value()); break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'. {Usage}"); return 64;
    }
}

Workbook.Init(profile);
using var training = ProfileTraining.Open(profile, runDirectory, sampleEvery: sampleEvery);
Console.WriteLine(training.Describe());
long toTrain = steps ?? training.RemainingSteps;
var progress = new TrainingProgress(training.Trainer.Step, training.Trainer.Step + toTrain);
training.Train(toTrain, progress.Report);
progress.Finish();
Console.WriteLine($"Step {training.Trainer.Step}: {progress.Current?.ImagesPerSecond:F1} images/s over this session; samples written to {training.SaveSamples()}");
return 0;
