using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Workbook;

// Scores a trained Fashion-MNIST run: FID with its 95% bootstrap interval (both sample sets resampled) and KID, cached in
// the run's scores/ folder with the generated features. The features are DefaultFeatureExtractor's: the FID Inception-v3
// when its weights are there (SOFT_DIFFUSION_FID_INCEPTION, else data/pt_inception-2015-12-05-6726825d.pth; its scores
// are cached in scores/fid-inception-v3-pool3-pytorch-fid/), else the project's classifier. Usage:
//   dotnet run -c Release --project tools/Score -- (--arm NAME | [--profile cpu] [--recipe NAME] --run DIR | --model FILE)
//       [--sampler naive|momentum|softddim|edmheun] [--nfe N] [--samples N] [--seed N] [--start fitted|trainingimages|gaussianmixture]
//       [--export DIR] [--choose-mixture] [--write-model FILE]
// --export writes the sample set instead of scoring it: DIR/png/000000.png ... and DIR/samples.npz (uint8 [N, 28, 28]),
// for pytorch-fid or clean-fid, and the first 64 as DIR/grid.png; the samples are those a score with the same options
// reads (same seeds).
// --model scores a model file (tools/Train --export, data/models/*.sdm); its scores are cached in runs/shipped-<name>/scores,
// where the notebooks look for them. Default: Momentum, NFE 100, 2,000 samples, seed 0, the recipe's fitted p_1.
// --write-model FILE (with --model) writes the model file again with the p_1 of --start as its own (weights unchanged):
// this is how the shipped blur models got their Gaussian-mixture p_1.
//   dotnet run -c Release --project tools/Score -- --collect-study [--sampler S] [--nfe N] [--samples N]
// gathers the cached scores of every runs/study-<arm> into docs/recipe-study.json and its final grids into docs/study/.
//   dotnet run -c Release --project tools/Score -- --collect-scores
// gathers every cached score of the model files (runs/shipped-<model>/scores) into docs/scores.json, each with its paired
// difference to the Naive (else Momentum) score of the same settings.
//   dotnet run -c Release --project tools/Score -- --difference A.json B.json
// prints FID(A) - FID(B) with a paired 95% bootstrap interval for two cached scores with the same seed and sample count
// (e.g. two models sampled with the same seeds; their .features files must sit beside them).
string usage = "Usage: (--arm NAME | [--profile P] [--recipe NAME] --run DIR | --model FILE) [--sampler naive|momentum|softddim|edmheun] [--nfe N] " +
    "[--samples N] [--seed N] [--start fitted|trainingimages|gaussianmixture|gaussian] [--export DIR]; or --model FILE --start S --write-model FILE; or --collect-study [--sampler S] [--nfe N] [--samples N]; or --collect-scores; or --difference A.json B.json";
var profile = Profile.Cpu;
var recipe = TrainingRecipe.Blur;
StudyArm? arm = null;
string? runDirectory = null;
var sampler = SamplerKind.Momentum;
var start = StartKind.Fitted;
int nfe = 100, samples = 2000;
long seed = 0;
bool collect = false, collectScores = false, chooseMixture = false;
string? exportFolder = null;
string? modelFile = null, writtenModel = null;
string[]? differenceOf = null;
if (ToolArguments.Read(args, usage, (option, value) =>
{
    switch (option)
    {
        case "--arm": arm = RecipeStudy.Find(value()); break;
        case "--run": runDirectory = Path.GetFullPath(value()); break;
        case "--model": modelFile = Path.GetFullPath(value()); break;
        case "--profile": profile = Profile.Parse(value()); break;
        case "--recipe": recipe = TrainingRecipe.Find(value()); break;
        case "--sampler": sampler = Enum.Parse<SamplerKind>(value(), ignoreCase: true); break;
        case "--nfe": nfe = int.Parse(value()); break;
        case "--samples": samples = int.Parse(value()); break;
        case "--seed": seed = long.Parse(value()); break;
        case "--start": start = Enum.Parse<StartKind>(value(), ignoreCase: true); break;
        case "--export": exportFolder = Path.GetFullPath(value()); break;
        case "--difference": differenceOf = [value(), value()]; break;
        case "--collect-study": collect = true; break;
        case "--collect-scores": collectScores = true; break;
        case "--choose-mixture": chooseMixture = true; break;
        case "--write-model": writtenModel = Path.GetFullPath(value()); break;
        default: return false;
    }
    return true;
}) is { } usageError) return usageError;
if (differenceOf is not null)
{
    Workbook.Init(profile);
    return Difference(differenceOf[0], differenceOf[1]);
}
if (collectScores)
{
    Workbook.Init(profile);
    return CollectScores();
}
if (collect)
{
    Workbook.Init(profile);
    return CollectStudy(sampler, nfe, samples, seed);
}
if (arm is not null)
{
    profile = profile with { Network = arm.Network, Training = arm.Training };
    recipe = arm.Recipe;
    runDirectory ??= Path.Combine(ProjectPaths.Runs, $"study-{arm.Name}");
}
if (modelFile is not null)
{
    Workbook.Init(profile);
    string name = Path.GetFileNameWithoutExtension(modelFile);
    // A model file holds no training images; p_1 from training images reads the profile's (the first images of the split).
    TrainingSet? data = null;
    try
    {
        if (chooseMixture) return ChooseMixture(modelFile, data = TrainingSet.LoadFashionMnist(profile), profile.ImagesForStatistics);
        using var shipped = ShippedModel.Load(modelFile, Path.Combine(ProjectPaths.Runs, $"shipped-{name}", "scores"),
            trainingImages: () => (data ??= TrainingSet.LoadFashionMnist(profile)).StatisticsImages(profile.ImagesForStatistics));
        if (writtenModel is not null) return WriteModel(shipped, writtenModel, data ??= TrainingSet.LoadFashionMnist(profile));
        return Run(shipped, Path.GetFileName(modelFile));
    }
    finally
    {
        data?.Dispose();
    }
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
using var model = training.Model;
return Run(model, Path.GetFileName(runDirectory));

// Exports or scores the samples of a model, printing one line.
int Run(TrainedModel model, string label)
{
    if (exportFolder is not null)
    {
        using var images = ExportedSamples(model, sampler, nfe, samples, seed, start);
        SampleExport.WritePngs(Path.Combine(exportFolder, "png"), images);
        SampleExport.WriteNpz(Path.Combine(exportFolder, "samples.npz"), images);
        using (var first = images.narrow(0, 0, Math.Min(64, samples))) ImageGrid.From(first, columns: 8).Save(Path.Combine(exportFolder, "grid.png"));
        Console.WriteLine($"Wrote {samples} samples ({sampler}, NFE {nfe}, seed {seed}, start {start}, step {model.Step}) to {exportFolder}/png and " +
            $"{exportFolder}/samples.npz, the first {Math.Min(64, samples)} as {exportFolder}/grid.png.");
        return 0;
    }
    using var scorer = new SampleScorer();
    var score = scorer.Score(model, sampler, nfe, samples, seed, start);
    Console.WriteLine($"{label} step {score.TrainingSteps}: {score.Sampler}, NFE {score.Nfe}, n = {score.Samples}, seed {score.Seed}, " +
        $"start {score.Start}: FID {score.Fid:F2} [{score.FidLow:F2}, {score.FidHigh:F2}] (95% bootstrap), KID x 1000 {1000 * score.KidMean:F2} +- {1000 * score.KidStandardDeviation:F2}, " +
        $"{score.Extractor}; sampling {score.SamplingSeconds:F0} s");
    return 0;
}

// The model file again, with the p_1 of --start as its own.
int WriteModel(TrainedModel model, string path, TrainingSet data)
{
    if (start == StartKind.TrainingImages)
    {
        Console.Error.WriteLine("--write-model stores a fitted p_1 (fitted, gaussianmixture or gaussian); training images are not kept in a model file.");
        return 64;
    }
    var p1 = model.StartDistribution(start);
    ShippedModel.Save(path, model, data.ImageShape, p1);
    Console.WriteLine($"Wrote {path}: the weights of {Path.GetFileName(modelFile)} (step {model.Step}) with p_1 {start} ({p1.GetType().Name}).");
    return 0;
}

// The mean log-likelihood of the Gaussian-mixture p_1 (StartKind.GaussianMixture) for several K, fitted to the first
// images of the training split (those the model's other p_1 were fitted to) and evaluated on its last images, held out.
static int ChooseMixture(string modelFile, TrainingSet data, int fitted)
{
    string scratch = Directory.CreateTempSubdirectory("choose-mixture-").FullName;   // the model's scores are not used
    using var model = ShippedModel.Load(modelFile, scratch);
    Directory.Delete(scratch, recursive: true);
    if (model.Corruption is not SoftDiffusion.Corruptions.BlurCorruption blur)
    {
        Console.Error.WriteLine($"--choose-mixture needs a blur model; {modelFile} is {model.Recipe.Corruption}.");
        return 65;
    }
    int heldOut = Math.Min(fitted, data.Count - fitted);
    using var fit = data.StatisticsImages(fitted);
    using var held = data.Images.Images(Enumerable.Range(data.Count - heldOut, heldOut).Select(i => (long)i).ToArray());
    Console.WriteLine($"p_1 as a mixture of K Gaussians over the surviving DCT coefficients: fitted to training images 0..{fitted - 1}, " +
        $"held out {data.Count - heldOut}..{data.Count - 1}; mean log-likelihood per image (nats)");
    Console.WriteLine("K\tfitted\theld out\tseconds");
    foreach (int k in new[] { 1, 2, 5, 10, 20, 50, 100 })
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var mixture = SoftDiffusion.Start.DctGaussianMixtureStart.Fit(fit, blur, model.Noise, k);
        Console.WriteLine($"{k}\t{mixture.LogLikelihood:F3}\t{mixture.MeanLogLikelihood(held, blur):F3}\t{clock.Elapsed.TotalSeconds:F1}");
    }
    return 0;
}

// Samples 0 .. count - 1 in batches of 250, on the CPU.
static TorchSharp.torch.Tensor ExportedSamples(TrainedModel model, SamplerKind sampler, int nfe, int count, long seed, StartKind start)
{
    var batches = new List<TorchSharp.torch.Tensor>();
    for (int first = 0; first < count; first += 250)
        using (var result = model.Generate(Samplers.Create(sampler), Math.Min(250, count - first), nfe, seed, first, start: start))
            batches.Add(result.X.cpu().clone());
    var all = TorchSharp.torch.cat(batches, 0);
    foreach (var b in batches) b.Dispose();
    return all;
}

// docs/recipe-study.json from the cached scores of the study's runs, merged with the arms it already records (an arm
// without a run here keeps its recorded result; one scored without the baseline's features here gets no paired difference).
static int CollectStudy(SamplerKind sampler, int nfe, int samples, long seed)
{
    var results = new List<StudyResult>();
    string grids = Path.Combine(ProjectPaths.Root, "docs", "study");
    Directory.CreateDirectory(grids);
    using var scorer = new SampleScorer();
    TorchSharp.torch.Tensor? baseline = null;
    foreach (var arm in RecipeStudy.Arms)
    {
        var run = new SoftDiffusion.Training.RunDirectory(Path.Combine(ProjectPaths.Runs, $"study-{arm.Name}"));
        var scores = scorer.Cache(Path.Combine(run.Root, "scores"));
        if (scores.Find(sampler, nfe, samples, seed, arm.Steps) is not { } score)
        {
            Console.WriteLine($"{arm.Name}: no score of {sampler}, NFE {nfe}, n = {samples}, seed {seed} in {scores.Folder}; its recorded result, if any, is kept");
            continue;
        }
        var features = scores.Features(score);
        var difference = baseline is null ? null : FidBootstrap.Difference(features, baseline, scorer.ReferenceFeatures, SampleScorer.BootstrapResamples);
        if (arm == RecipeStudy.Baseline) baseline = features; else features.Dispose();
        double seconds = run.ReadMetrics().Last().WallSeconds;
        results.Add(new StudyResult(arm.Name, arm.Change, arm.Steps, arm.Training.BatchSize, seconds, score, difference));
        File.Copy(run.SamplePath(arm.Steps), Path.Combine(grids, $"{arm.Name}.png"), overwrite: true);
        Console.WriteLine($"{arm.Name,-16} FID {score.Fid,7:F2} [{score.FidLow:F2}, {score.FidHigh:F2}]  vs baseline {difference?.ToString() ?? "-"}  {arm.Change}");
    }
    baseline?.Dispose();
    string path = Path.Combine(ProjectPaths.Root, "docs", "recipe-study.json");
    IReadOnlyList<StudyResult> merged;
    try { merged = StudyResult.Merge(File.Exists(path) ? StudyResult.Load(path) : [], results); }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"{path} left as it was: {e.Message}");
        return 65;
    }
    StudyResult.Save(path, merged);
    Console.WriteLine($"Wrote {path} ({merged.Count} arms, {results.Count} of them scored from the runs here; {sampler}, NFE {nfe}, n = {samples}, seed {seed}).");
    return 0;
}

// docs/scores.json from the score caches of every model file scored with --model, merged with the models it already
// records (RecordedScore.Merge).
static int CollectScores()
{
    using var scorer = new SampleScorer();
    var folders = Directory.Exists(ProjectPaths.Runs) ? Directory.GetDirectories(ProjectPaths.Runs, "shipped-*").Order().ToList() : [];
    // A collected model replaces its recorded entries, so its cache first gets the scores it was shipped with; the cache
    // of a shipped file measured on an earlier file of that name is set aside first, never collected as this one's.
    foreach (string folder in folders)
    {
        string model = Path.GetFileName(folder)["shipped-".Length..], cache = Path.Combine(folder, "scores");
        string shipped = Path.Combine(TrainedModels.Folder, $"{model}.sdm");
        if (File.Exists(shipped)) ShippedModel.ClaimScoresFolder(shipped, cache);
        TrainedModels.SeedScores(model, cache);
    }
    var models = folders.Select(folder => (Path.GetFileName(folder)["shipped-".Length..], scorer.Cache(Path.Combine(folder, "scores")))).ToList();
    string path = Path.Combine(ProjectPaths.Root, "docs", "scores.json");
    var collected = RecordedScore.Collect(models, scorer.ReferenceFeatures);
    var scores = RecordedScore.Merge(File.Exists(path) ? RecordedScore.Load(path) : [], collected);
    foreach (var r in scores)
        Console.WriteLine($"{r.Model,-22} {r.Score.Sampler,-9} NFE {r.Score.Nfe,4} n {r.Score.Samples} step {r.Score.TrainingSteps,5}: FID {r.Score.Fid,7:F2} " +
            $"[{r.Score.FidLow:F2}, {r.Score.FidHigh:F2}]{(r.Difference is { } d ? $"  vs {r.PairedWith}: {d}" : "")}");
    RecordedScore.Save(path, scores);
    Console.WriteLine($"Wrote {path} ({scores.Count} scores; {collected.Count} of them from the {models.Count} models scored here, the rest as recorded).");
    return 0;
}

// The paired difference of two cached scores (sample k of both drawn with the same seed).
static int Difference(string first, string second)
{
    using var scorer = new SampleScorer();
    (SampleScore a, SampleScore b, FidInterval difference) pair;
    try
    {
        pair = RecordedScore.DifferenceOf(first, second, scorer.ReferenceFeatures);
    }
    catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException)
    {
        Console.Error.WriteLine($"Cannot compare the two scores: {e.Message}");
        return 66;
    }
    var (a, b, difference) = pair;
    Console.WriteLine($"FID {a.Fid:F2} ({first}) - FID {b.Fid:F2} ({second}) = {difference} (paired 95% bootstrap, " +
        $"n = {a.Samples}, seed {a.Seed}, {difference.Resamples} resamples)");
    return 0;
}
