using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using static TorchSharp.torch;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Where notebooks 05-07 get a trained model: in the cpu profile the model that ships with the workbook
/// (data/models/fashion-&lt;recipe&gt;-cpu.sdm, see data/README.md for how each was trained), unless
/// SOFT_DIFFUSION_RETRAIN=1 asks to train it here; otherwise (and for recipes without a shipped file) the run of the
/// profile, trained to its budget now when it is missing or unfinished, then resumed on later calls.
/// </summary>
public static class TrainedModels
{
    /// <summary>Set to 1 to train the cpu profile's models from scratch instead of loading the shipped ones.</summary>
    public const string RetrainVariable = "SOFT_DIFFUSION_RETRAIN";

    /// <summary>The folder of the shipped models.</summary>
    public static string Folder => Path.Combine(ProjectPaths.Data, "models");

    /// <summary>The shipped file of <paramref name="recipe"/>'s Fashion-MNIST model at <paramref name="profile"/>'s scale.</summary>
    public static string ShippedPath(Profile profile, TrainingRecipe recipe) =>
        Path.Combine(Folder, $"{TrainingSet.FashionMnistName}-{recipe.Name}-{profile.Name.ToString().ToLowerInvariant()}.sdm");

    /// <summary>Whether <see cref="Open"/> loads the shipped file: the cpu profile, the file exists, no retraining asked.</summary>
    public static bool UsesShipped(Profile profile, TrainingRecipe recipe) =>
        profile.Name == ProfileName.Cpu && File.Exists(ShippedPath(profile, recipe))
        && Environment.GetEnvironmentVariable(RetrainVariable) is not "1";

    /// <summary>The Fashion-MNIST model of <paramref name="recipe"/>: shipped (<see cref="UsesShipped"/>) or trained to the
    /// profile's budget in its run folder (progress shown while training). Says which, in one line, before anything long.
    /// A shipped model's cache starts with the scores measured when it was shipped (data/models/scores/).</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="recipe">What was trained.</param>
    /// <param name="device">Where to sample; default CUDA when available, else the CPU.</param>
    public static TrainedModel Open(Profile profile, TrainingRecipe recipe, Device? device = null)
    {
        device ??= cuda.is_available() ? CUDA : CPU;
        if (UsesShipped(profile, recipe))
        {
            string path = ShippedPath(profile, recipe);
            string name = Path.GetFileNameWithoutExtension(path);
            string scores = Path.Combine(ProjectPaths.Runs, $"shipped-{name}", "scores");
            var model = ShippedModel.Load(path, scores, device, trainingImages: () => StartImages(profile));   // claims the cache first
            SeedScores(name, scores);
            Console.WriteLine($"Loaded the shipped model {Path.GetRelativePath(ProjectPaths.Root, path)}: {recipe.Name}, EMA weights at step {model.Step} " +
                $"(set {RetrainVariable}=1 to train it here instead).");
            return model;
        }
        var training = ProfileTraining.Open(profile, device: device, recipe: recipe);
        Console.WriteLine(training.Describe());
        CellTraining.Train(training);
        var view = training.Model;
        return new TrainedModel(view.Experiment, view.Network, view.Step, view.DataLabel, view.ScoresFolder,
            () => training.Data.StatisticsImages(profile.ImagesForStatistics), training);
    }

    // The images a shipped model's other p_1 (StartKind) are drawn from or fitted to: the first of the training split, as
    // for the run it was trained in (the embedded test split when the training split is not installed).
    static Tensor StartImages(Profile profile)
    {
        var data = SoftDiffusion.Data.FashionMnist.LoadTrainingOrEmbedded();
        return data.Images(0, Math.Min(profile.ImagesForStatistics, data.Count));
    }

    /// <summary>Starts a model file's score cache with the scores measured when it was shipped
    /// (data/models/scores/&lt;model&gt;/*.json, when there are any), so notebooks show them without sampling again and a
    /// collection of the cache (tools/Score --collect-scores) keeps them; scores of other settings are computed and cached
    /// as usual. Files already in the cache stay.</summary>
    /// <param name="model">The model file's name without extension, e.g. fashion-blur-cpu.</param>
    /// <param name="cache">The cache folder, e.g. runs/shipped-fashion-blur-cpu/scores.</param>
    public static void SeedScores(string model, string cache)
    {
        string shipped = Path.Combine(Folder, "scores", model);
        if (!Directory.Exists(shipped)) return;
        Directory.CreateDirectory(cache);
        foreach (string file in Directory.GetFiles(shipped, "*.json"))
        {
            string target = Path.Combine(cache, Path.GetFileName(file));
            if (!File.Exists(target)) File.Copy(file, target);
        }
    }
}
