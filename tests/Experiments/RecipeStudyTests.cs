using SoftDiffusion.Experiments;

namespace SoftDiffusion.Tests.Experiments;

public sealed class RecipeStudyTests
{
    // Every setting of an arm as (name, value): recipe, network and optimiser.
    static List<(string, string)> Settings(StudyArm arm) =>
    [
        .. arm.Recipe.Fingerprint().Skip(1), .. arm.Network.Describe(),
        .. typeof(SoftDiffusion.Training.TrainingOptions).GetProperties().Select(p => (p.Name, $"{p.GetValue(arm.Training)}")),
    ];

    [Fact]
    public void EveryArmSeesAsManyImagesAsTheBaseline()
    {
        long images = RecipeStudy.Baseline.Steps * RecipeStudy.Baseline.Training.BatchSize;
        Assert.All(RecipeStudy.Arms, arm => Assert.Equal(images, arm.Steps * arm.Training.BatchSize));
        Assert.Equal(RecipeStudy.Arms.Count, RecipeStudy.Arms.Select(a => a.Name).Distinct().Count());
    }

    [Fact]
    public void EveryArmChangesSomethingAndTheBaselineIsTodaysCpuRecipe()
    {
        var baseline = Settings(RecipeStudy.Baseline);
        // The pre-study cpu recipe, pinned: 16 random Fourier features, geometric noise to 0.05, constant lr 1e-3.
        Assert.Equal(("blur", 0.05, (double?)null), (RecipeStudy.Baseline.Recipe.Name, RecipeStudy.Baseline.Recipe.SigmaMax, RecipeStudy.Baseline.Recipe.SigmaPlateauFrom));
        Assert.Equal((SoftDiffusion.Models.TimeEmbeddingKind.GaussianFourier, 16), (RecipeStudy.Baseline.Network.TimeEmbedding, RecipeStudy.Baseline.Network.TimeFeatureCount));
        Assert.Equal(989_217, new SoftDiffusion.Models.UNet(RecipeStudy.Baseline.Network).ParameterCount());
        Assert.Equal((1e-3, 64, 0L), (RecipeStudy.Baseline.Training.LearningRate, RecipeStudy.Baseline.Training.BatchSize, RecipeStudy.Baseline.Training.DecaySteps));
        foreach (var arm in RecipeStudy.Arms.Skip(1))
            Assert.True(Settings(arm).Count != baseline.Count || Settings(arm).Zip(baseline).Any(p => p.First != p.Second), arm.Name);
    }

    [Fact]
    public void AnUnknownArmIsNamedWithTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => RecipeStudy.Find("bigger"));
        Assert.Contains("Unknown study arm 'bigger'", e.Message);
        Assert.Contains("baseline", e.Message);
    }
}
