using SoftDiffusion.Data;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public sealed class ProfileTrainingTests : IDisposable
{
    // The smoke profile cut to seconds: 4 steps, a grid every 2 steps of 4 images with a 2-step sampler.
    static readonly Profile Tiny = Profile.Smoke with { TrainingSteps = 4, SampleEvery = 2, SamplerSteps = 2, ImagesShown = 4, TrainingImages = 64, ImagesForStatistics = 64 };
    static readonly FashionMnist Embedded = FashionMnist.Load(FashionMnistSplit.Test);

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
            Assert.Equal(64, training.TrainingImageCount);
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
    public void AThreeChannelProfileIsRejectedForFashionMnist()
    {
        var e = Assert.Throws<ArgumentException>(() => ProfileTraining.Open(Profile.Paper, root, Embedded));
        Assert.Contains("1 channel", e.Message);
    }
}
