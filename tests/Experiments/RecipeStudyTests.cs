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

    // The arms whose network costs more per step than the baseline's: they train for the baseline's wall time instead.
    static bool ChangesTheNetworksCost(StudyArm arm) =>
        (arm.Network.BaseChannels, arm.Network.BlocksPerLevel) != (RecipeStudy.Baseline.Network.BaseChannels, RecipeStudy.Baseline.Network.BlocksPerLevel);

    [Fact]
    public void EveryArmSeesAsManyImagesAsTheBaselineExceptTheNetworkArmsWhichGetItsWallTime()
    {
        long images = RecipeStudy.Baseline.Steps * RecipeStudy.Baseline.Training.BatchSize;
        Assert.All(RecipeStudy.Arms.Where(a => !ChangesTheNetworksCost(a)), arm => Assert.Equal(images, arm.Steps * arm.Training.BatchSize));
        var networkArms = RecipeStudy.Arms.Where(ChangesTheNetworksCost).ToList();
        Assert.Equal(["width-32", "depth-3"], networkArms.Select(a => a.Name));
        Assert.Equal([RecipeStudy.Width32Steps, RecipeStudy.Depth3Steps], networkArms.Select(a => a.Steps));
        // A costlier network gets fewer steps of the same batch, never more than the baseline's.
        Assert.All(networkArms, arm => Assert.InRange(arm.Steps * arm.Training.BatchSize, 1, images - 1));
        Assert.Equal((32, 3), (networkArms[0].Network.BaseChannels, networkArms[1].Network.BlocksPerLevel));
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

public sealed class StudyResultTests
{
    [Fact]
    public void TheCommittedStudyReadsBackWithItsBaselineFirstAndPairedDifferences()
    {
        var study = StudyResult.Load(Path.Combine(SoftDiffusion.Runtime.ProjectPaths.Root, "docs", "recipe-study.json"));
        Assert.Equal(RecipeStudy.Baseline.Name, study[0].Arm);
        Assert.Null(study[0].DifferenceToBaseline);
        foreach (var r in study)
        {
            var arm = RecipeStudy.Find(r.Arm);
            Assert.Equal((arm.Steps, arm.Training.BatchSize), (r.Steps, r.BatchSize));
            Assert.Equal(arm.Steps, r.Score.TrainingSteps);
            Assert.True(r.Score.Samples >= 2000, $"{r.Arm}: conclusions need at least 2,000 samples, got {r.Score.Samples}");
            Assert.InRange(r.Score.Fid, r.Score.FidLow, r.Score.FidHigh);
            if (r.DifferenceToBaseline is { } d)
            {
                // The paired estimate is the difference of the two FIDs (computed once from streamed statistics, once from the
                // feature matrices: they agree to round-off, ~1e-8 relative).
                Assert.Equal(r.Score.Fid - study[0].Score.Fid, d.Estimate, 4);
                Assert.True(d.Low <= d.Estimate && d.Estimate <= d.High);
            }
        }
    }

    // A session scores the arms whose runs it has; the arms of earlier sessions must survive, in the study's order.
    [Fact]
    public void MergeKeepsRecordedArmsAndTakesTheFreshOnes()
    {
        static StudyResult Result(string arm, double fid)
        {
            var score = new SampleScore("blur", 800, SamplerKind.Momentum, 50, 2000, 0, fid, 57.0, 4.1, "features", "reference", false, 460, fid - 4, fid + 6);
            return new StudyResult(arm, "change", 800, 64, 1289.5, score, null);
        }
        var recorded = new[] { Result("baseline", 239.8), Result("noise-0.1", 219.9), Result("optimiser", 226.6) };
        var collected = new[] { Result("width-32", 230.0), Result("noise-0.1", 218.0) };

        var merged = StudyResult.Merge(recorded, collected);

        Assert.Equal(["baseline", "noise-0.1", "optimiser", "width-32"], merged.Select(r => r.Arm));
        Assert.Equal(218.0, merged[1].Score.Fid);
        Assert.Equal(239.8, merged[0].Score.Fid);
        Assert.Equal(RecipeStudy.Arms.Select(a => a.Name).Where(merged.Select(r => r.Arm).Contains), merged.Select(r => r.Arm));
        Assert.Empty(StudyResult.Merge([], []));

        // A new baseline would leave the recorded paired differences pointing at the old one.
        var paired = recorded.Select(r => r.Arm == "baseline" ? r : r with { DifferenceToBaseline = new SoftDiffusion.Evaluation.FidInterval(-19.9, -24.4, -15.4, 0.95, 200) }).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => StudyResult.Merge(paired, [Result("baseline", 241.0)]));
        Assert.Contains("noise-0.1, optimiser", e.Message);
        Assert.Equal(241.0, StudyResult.Merge(paired, [Result("baseline", 241.0), Result("noise-0.1", 221), Result("optimiser", 225)])[0].Score.Fid);
        Assert.Equal(239.8, StudyResult.Merge(paired, [Result("baseline", 239.8)])[0].Score.Fid);   // the same score again
    }

    [Fact]
    public void ResultsRoundTrip()
    {
        var score = new SampleScore("blur", 800, SamplerKind.Momentum, 50, 2000, 0, 220.5, 57.0, 4.1, "features", "reference", false, 460, 216.0, 226.0);
        var results = new[] { new StudyResult("noise-0.1", "change", 800, 64, 1289.5, score, new SoftDiffusion.Evaluation.FidInterval(-19.9, -24.4, -15.4, 0.95, 200)) };
        string path = Path.Combine(Path.GetTempPath(), $"study-{Guid.NewGuid():N}.json");
        StudyResult.Save(path, results);
        Assert.Equal(results, StudyResult.Load(path));
        File.Delete(path);
    }
}
