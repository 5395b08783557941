using SoftDiffusion.Experiments;
using SoftDiffusion.Workbook;

// Scores a trained Fashion-MNIST run with the project's classifier features: FID with its 95% bootstrap interval (both
// sample sets resampled) and KID, cached in the run's scores/ folder with the generated features. Usage:
//   dotnet run -c Release --project tools/Score -- (--arm NAME | [--profile cpu] [--recipe NAME] --run DIR)
//       [--sampler naive|momentum|softddim] [--nfe N] [--samples N] [--seed N] [--start fitted|trainingimages]
// Default: Momentum, NFE 100, 2,000 samples, seed 0, the recipe's fitted p_1.
string usage = "Usage: (--arm NAME | [--profile P] [--recipe NAME] --run DIR) [--sampler naive|momentum|softddim] [--nfe N] " +
    "[--samples N] [--seed N] [--start fitted|trainingimages]";
var profile = Profile.Cpu;
var recipe = TrainingRecipe.Blur;
StudyArm? arm = null;
string? runDirectory = null;
var sampler = SamplerKind.Momentum;
var start = StartKind.Fitted;
int nfe = 100, samples = 2000;
long seed = 0;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {usage}");
    switch (args[i])
    {
        case "--profile": profile = Profile.Parse(Value()); break;
        case "--recipe":
            string name = Value();
            recipe = TrainingRecipe.All.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"Unknown recipe '{name}'. {usage}");
            break;
        case "--arm": arm = RecipeStudy.Find(Value()); break;
        case "--run": runDirectory = Path.GetFullPath(Value()); break;
        case "--sampler": sampler = Enum.Parse<SamplerKind>(Value(), ignoreCase: true); break;
        case "--start": start = Enum.Parse<StartKind>(Value(), ignoreCase: true); break;
        case "--nfe": nfe = int.Parse(Value()); break;
        case "--samples": samples = int.Parse(Value()); break;
        case "--seed": seed = long.Parse(Value()); break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'. {usage}"); return 64;
    }
}
if (arm is not null)
{
    profile = profile with { Network = arm.Network, Training = arm.Training };
    recipe = arm.Recipe;
    runDirectory ??= Path.Combine(ProjectPaths.Runs, $"study-{arm.Name}");
}
if (runDirectory is null || !Directory.Exists(runDirectory))
{
    Console.Error.WriteLine($"Expected an existing run folder (--run DIR or --arm NAME), got '{runDirectory}'. {usage}");
    return 66;
}

Workbook.Init(profile);
using var training = ProfileTraining.Open(profile, runDirectory, TrainingSet.LoadFashionMnist(profile), sampleEvery: 0, recipe: recipe,
    totalSteps: arm?.Steps);
if (!training.Resumed)
{
    Console.Error.WriteLine($"{runDirectory} holds no checkpoint to score.");
    return 66;
}
using var scorer = new FashionScorer();
using var model = training.Model;
var score = scorer.Score(model, sampler, nfe, samples, seed, start);
Console.WriteLine($"{Path.GetFileName(runDirectory)} step {score.TrainingSteps}: {score.Sampler}, NFE {score.Nfe}, n = {score.Samples}, seed {score.Seed}, " +
    $"start {score.Start}: FID {score.Fid:F2} [{score.FidLow:F2}, {score.FidHigh:F2}] (95% bootstrap), KID x 1000 {1000 * score.KidMean:F2} +- {1000 * score.KidStandardDeviation:F2}, " +
    $"{score.Extractor}; sampling {score.SamplingSeconds:F0} s");
return 0;
