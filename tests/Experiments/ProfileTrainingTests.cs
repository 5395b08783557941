using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;

namespace SoftDiffusion.Tests.Experiments;

public sealed class ProfileTrainingTests : IDisposable
{
    // The smoke profile cut to seconds: 4 steps, a grid every 2 steps of 4 images with a 2-step sampler.
    static readonly Profile Tiny = Profile.Smoke with { TrainingSteps = 4, SampleEvery = 2, SamplerSteps = 2, ImagesShown = 4, TrainingImages = 64, ImagesForStatistics = 64 };
    static readonly FashionMnist EmbeddedSplit = FashionMnist.Load(FashionMnistSplit.Test);

    // A fresh training set per run (a run owns and disposes its images).
    static TrainingSet Embedded => TrainingSet.FashionMnist(EmbeddedSplit, 64);

    readonly string root = Path.Combine(Path.GetTempPath(), $"profile-training-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void TrainsIntoTheRunDirectoryWritesSampleGridsAndResumesFromTheSavedStep()
    {
        using (var training = ProfileTraining.Open(Tiny, root, Embedded))
        {
            Assert.False(training.Resumed);
            Assert.False(training.IsTemporary);
            Assert.Equal(64, training.TrainingImageCount);
            Assert.Equal("Fashion-MNIST test split", training.Data.Label);
            training.Train(training.RemainingSteps);
            Assert.Equal(4, training.Trainer.Step);
        }
        Assert.True(File.Exists(Path.Combine(root, "options.json")));
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", "latest.ckpt")));
        Assert.Equal(["step_0000002.png", "step_0000004.png"], Directory.GetFiles(Path.Combine(root, "samples")).Select(Path.GetFileName).Order());

        using var resumed = ProfileTraining.Open(Tiny, root, Embedded);
        Assert.True(resumed.Resumed);
        Assert.Equal(4, resumed.Trainer.Step);
        Assert.Equal(0, resumed.RemainingSteps);
        resumed.Train(1);
        Assert.Equal(5, resumed.Trainer.Step);
        Assert.Contains("resumed at step 4", resumed.Describe());
    }

    [Fact]
    public void SampleGridsUseFixedSeedsSoTheSameWeightsGiveTheSameGrid()
    {
        using var training = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, root, Embedded);
        Assert.Equal(training.Samples().Png, training.Samples().Png);
    }

    [Fact]
    public void ThePaperNetworkKeepsTheLevelsFashionMnistCanHalveAndSaysSo()
    {
        // The paper U-Net has 4 levels (sides divisible by 8); Fashion-MNIST is 28 x 28, which halves twice.
        using var training = ProfileTraining.Open(Profile.Paper.Trial(1), root, Embedded);
        using var model = training.Model;
        Assert.Equal(3, model.Network.Config.Levels);
        Assert.Equal(UNetConfig.Paper(1).ChannelMultipliers[..3], model.Network.Config.ChannelMultipliers);
        Assert.Contains("3 of the profile's 4 resolution levels: 28 x 28 images do not halve 3 times", training.Describe());
    }

    [Fact]
    public void TheCpuProfileRefusesToTrainOnTheTestSplitWhenTheTrainSplitIsMissing()
    {
        Directory.CreateDirectory(root);   // an empty folder: no train split there
        foreach (var profile in new[] { Profile.Cpu, Profile.Paper })
        {
            var e = Assert.Throws<DirectoryNotFoundException>(() => TrainingSet.LoadFashionMnist(profile, root));
            Assert.Contains($"The {profile.FolderName} profile trains on Fashion-MNIST's 60,000-image train split", e.Message);
            Assert.Contains($"Fashion-MNIST train split not found in {root}", e.Message);
            Assert.Contains("Install Debian's dataset-fashion-mnist", e.Message);
        }
        // The smoke profile and trials only prove that cells run: they fall back to the committed test split.
        foreach (var profile in new[] { Profile.Smoke, Profile.Cpu.Trial(1) })
        {
            using var fallback = TrainingSet.LoadFashionMnist(profile, root);
            Assert.Contains("test split", fallback.Description);
        }
    }

    [Fact]
    public void AFolderOfAnotherRecipeIsRefusedWithTheDifferenceNamed()
    {
        using (var blur = ProfileTraining.Open(Tiny, root, Embedded)) blur.Train(1);
        var e = Assert.Throws<ArgumentException>(() => ProfileTraining.Open(Tiny, root, Embedded, recipe: TrainingRecipe.Identity));
        Assert.Contains("recipe: blur", e.Message);
        Assert.Contains("recipe: identity", e.Message);
        using var again = ProfileTraining.Open(Tiny, root, Embedded);   // its own recipe still opens, at its step
        Assert.Equal(1, again.Trainer.Step);
    }

    [Fact]
    public void ASampleIsTheSameWhateverBatchItIsDrawnIn()
    {
        using var training = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, root, Embedded);
        training.Train(2);
        using var batch = training.Generate(new MomentumSampler(), 4, 3, seed: 7);
        using var single = training.Generate(new MomentumSampler(), 1, 3, seed: 7, firstIndex: 2);
        // Same arithmetic on different batch shapes: equal up to float32 rounding of the convolutions.
        Assert.True(batch.X.narrow(0, 2, 1).allclose(single.X, rtol: 0, atol: 1e-4));
        Assert.False(batch.X.narrow(0, 1, 1).allclose(single.X, rtol: 0, atol: 1e-2));
    }

    [Fact]
    public void AblationRunsHaveTheProfilesAblationBudget()
    {
        using var training = ProfileTraining.OpenAblation(Tiny with { AblationSteps = 3 }, TrainingRecipe.BlurPixelLoss, Embedded);
        Assert.Equal(3, training.TotalSteps);
        Assert.Equal(TrainingRecipe.BlurPixelLoss, training.Recipe);
        Assert.Contains("Recipe blur-pixel-loss", training.Describe());
    }

    [Fact]
    public void ASmokeRunInATemporaryFolderIsDeletedWhenDisposed()
    {
        string folder;
        using (var training = ProfileTraining.Open(Tiny, data: Embedded))
        {
            folder = training.Run.Root;
            Assert.True(training.IsTemporary);
            training.Train(1);
            Assert.True(Directory.Exists(folder));
        }
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void TheTrajectoryKeepsEvenlySpacedSnapshotsAndEndsAtTheSamplersResult()
    {
        using var training = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, root, Embedded);
        using var trajectory = SamplerTrajectory.Record(training.Model, new MomentumSampler(), count: 2, steps: 7, seed: 5, snapshots: 4);
        Assert.Equal([1.0, 5.0 / 7, 3.0 / 7, 1.0 / 7], trajectory.Times, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([4L, 2, 1, 28, 28], trajectory.XT.shape);
        Assert.Equal([4L, 2, 1, 28, 28], trajectory.X0Hat.shape);
        using var direct = training.Generate(new MomentumSampler(), 2, 7, seed: 5);
        Assert.True(trajectory.Final.equal(direct.X.cpu()).all().item<bool>());
        var grid = trajectory.Grid();
        // 4 snapshots + the final x_0 per row, two rows (x_t, x0_hat) per sample; 28 px x scale 2, 2 px padding.
        Assert.Equal(5 * 56 + 6 * 2, grid.Width);
        Assert.Equal(4 * 56 + 5 * 2, grid.Height);
    }
}
