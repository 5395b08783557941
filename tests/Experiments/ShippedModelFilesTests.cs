using System.Security.Cryptography;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Experiments;

/// <summary>The trained models committed in data/models: each loads (its checksum verified), is the cpu profile's
/// network and recipe, samples finite images in range, and is listed with its SHA-256 in data/README.md.</summary>
public sealed class ShippedModelFilesTests
{
    public static TheoryData<string> Recipes => new(TrainingRecipe.Blur.Name, TrainingRecipe.BlurPixelLoss.Name, TrainingRecipe.Identity.Name);

    [Theory]
    [MemberData(nameof(Recipes))]
    public void TheShippedModelLoadsIsTheCpuRecipeAndSamples(string name)
    {
        var recipe = TrainingRecipe.All.Single(r => r.Name == name);
        string path = TrainedModels.ShippedPath(Profile.Cpu, recipe);
        Assert.True(File.Exists(path), $"{path} is missing: notebooks 05-07 load it in the cpu profile");
        Assert.True(TrainedModels.UsesShipped(Profile.Cpu, recipe) || Environment.GetEnvironmentVariable(TrainedModels.RetrainVariable) == "1");

        using var model = ShippedModel.Load(path, Path.Combine(Path.GetTempPath(), $"shipped-scores-{Guid.NewGuid():N}"));
        Assert.Equal(recipe, model.Recipe);
        Assert.Equal(Profile.Cpu.Network, model.Network.Config);
        Assert.Equal(Profile.Cpu.TrainingSteps, model.Step);
        if (recipe.Corruption == CorruptionKind.Blur)   // p_1: the 50-component mixture fitted to the first 10,000 training images
            Assert.Equal(SoftDiffusion.Start.DctGaussianMixtureStart.DefaultComponents, Assert.IsType<SoftDiffusion.Start.DctGaussianMixtureStart>(model.Start).Components);
        // 20 network evaluations: enough for EDM's Heun sampler to bring C_t = I from sigma = 50 into the data's range.
        using var result = model.Generate(Samplers.Create(recipe == TrainingRecipe.Identity ? SamplerKind.EdmHeun : SamplerKind.Momentum), 4, 20, seed: 3);
        Assert.Equal([4L, 1, 28, 28], result.X.shape);
        Assert.True(result.X.isfinite().all().item<bool>());
        // Data lie in [-1, 1]; x_1 starts at noise scale 0.1 (blur) or 50 (C_t = I). A model that denoises lands near the
        // data's range (seen: max |x| 4.9 for C_t = I at 20 evaluations); one that does not stays at ~50.
        Assert.InRange(result.X.abs().max().item<float>(), 0, 10);
        Assert.InRange(result.X.mean().item<float>(), -1, 1);

        AssertListedWithItsChecksum(path);
    }

    [Fact]
    public void TheWorkbooksShippedBlurModelAlsoStartsFromTrainingImages()
    {
        if (!TrainedModels.UsesShipped(Profile.Cpu, TrainingRecipe.Blur)) return;   // SOFT_DIFFUSION_RETRAIN=1 would train it here
        using var model = TrainedModels.Open(Profile.Cpu, TrainingRecipe.Blur, TorchSharp.torch.CPU);
        using var fitted = model.Generate(Samplers.Create(SamplerKind.Naive), 3, 2, seed: 5);
        using var drawn = model.Generate(Samplers.Create(SamplerKind.Naive), 3, 2, seed: 5, start: StartKind.TrainingImages);
        Assert.True(drawn.X.isfinite().all().item<bool>());
        Assert.InRange(drawn.X.abs().max().item<float>(), 0, 10);
        Assert.True((drawn.X - fitted.X).abs().max().item<float>() > 0.1);   // another p_1, other samples
    }

    /// <summary>The candidate models of the next cpu recipe (data/models/candidates, data/README.md): a network the cpu
    /// profile's but for its blocks per level, the cpu recipe of its name, fully trained; each samples finite images.</summary>
    public static TheoryData<string> Candidates => new(Directory.GetFiles(Path.Combine(TrainedModels.Folder, "candidates"), "*.sdm").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Candidates))]
    public void EachCandidateModelLoadsIsACpuRecipeAndSamples(string file)
    {
        string path = Path.Combine(TrainedModels.Folder, "candidates", file);
        using var model = ShippedModel.Load(path, Path.Combine(Path.GetTempPath(), $"candidate-scores-{Guid.NewGuid():N}"));
        Assert.Contains(model.Recipe, TrainingRecipe.All);
        Assert.Equal(Profile.Cpu.Network with { BlocksPerLevel = model.Network.Config.BlocksPerLevel }, model.Network.Config);
        Assert.Equal(Profile.Cpu.TrainingSteps, model.Step);
        Assert.IsType<SoftDiffusion.Start.DctFullGaussianStart>(model.Start);   // format v1: one Gaussian, as they were scored
        using var result = model.Generate(Samplers.Create(SamplerKind.Momentum), 4, 20, seed: 3);
        Assert.True(result.X.isfinite().all().item<bool>());
        Assert.InRange(result.X.abs().max().item<float>(), 0, 10);
        AssertListedWithItsChecksum(path);
    }

    /// <summary>Notebooks 05 and 07 read these scores of the shipped models in the cpu profile instead of sampling for
    /// hours: each must be committed (data/models/scores), of the file's own p_1, at the profile's n, seed 0 and step.</summary>
    [Fact]
    public void EveryScoreTheCpuNotebooksReadIsCommitted()
    {
        var p = Profile.Cpu;
        var read = new List<(TrainingRecipe Recipe, SamplerKind Sampler, int Nfe)>();
        read.AddRange(new[] { SamplerKind.Naive, SamplerKind.Momentum, SamplerKind.SoftDdim }.Select(s => (TrainingRecipe.Blur, s, p.ComparisonNfe)));   // 05
        read.AddRange(p.NfeSweep.SelectMany(n => new[] { (TrainingRecipe.Blur, SamplerKind.Momentum, n),
            (TrainingRecipe.Identity, SamplerKind.Momentum, n), (TrainingRecipe.Identity, SamplerKind.EdmHeun, n) }));                               // 07
        foreach (var (recipe, sampler, nfe) in read)
        {
            string model = Path.GetFileNameWithoutExtension(TrainedModels.ShippedPath(p, recipe));
            var cache = new ScoreCache(Path.Combine(TrainedModels.Folder, "scores", model), SoftDiffusion.Evaluation.FashionClassifierFeatures.ExtractorName);
            var score = cache.Find(sampler, nfe, p.EvaluationSamples, 0, p.TrainingSteps);
            Assert.True(score is not null, $"{model}: no committed score of {sampler}, NFE {nfe}, n = {p.EvaluationSamples}, seed 0");
            Assert.Equal(StartKind.Fitted, score.Start);
        }
    }

    static void AssertListedWithItsChecksum(string path)
    {
        string readme = File.ReadAllText(Path.Combine(ProjectPaths.Data, "README.md"));
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Contains($"{sha}  {Path.GetFileName(path)}", readme);
    }
}
