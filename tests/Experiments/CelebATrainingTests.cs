using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Tests.Data;

namespace SoftDiffusion.Tests.Experiments;

/// <summary>ProfileTraining on CelebA-64, with the 8 generated training images of the CelebA-layout fixture.</summary>
[Collection(RunsFolderCollection.Name)]
public sealed class CelebATrainingTests(CelebAPreparedFixture prepared) : IClassFixture<CelebAPreparedFixture>, IDisposable
{
    // The smoke profile cut to the fixture: batch 4 of 8 images, 4 steps, a grid of 4 samples every 2 steps.
    static readonly Profile Tiny = Profile.Smoke with
    {
        Training = Profile.Smoke.Training with { BatchSize = 4 },
        TrainingSteps = 4, SampleEvery = 2, SamplerSteps = 2, ImagesShown = 4, ImagesForStatistics = 8, TrainingImages = null,
    };

    readonly string root = Path.Combine(Path.GetTempPath(), $"celeba-training-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    TrainingSet CelebA() => TrainingSet.CelebA(CelebA64.Open(prepared.CachePath(CelebASplit.Train)));

    [Fact]
    public void TrainsAThreeChannelNetworkOnFlippedCelebABatchesAndWritesColourGrids()
    {
        using var training = ProfileTraining.Open(Tiny, Path.Combine(root, "run"), CelebA());
        Assert.Equal(3, training.Trainer.Network.Config.ImageChannels);
        Assert.True(training.Data.Images is CelebAImageDataset { RandomFlips: true, Count: 8 });
        Assert.Contains("Data: CelebA-64 (8 images", training.Describe());
        Assert.Equal("CelebA-64", training.Data.Label);
        training.Train(training.RemainingSteps);
        Assert.Equal(["step_0000002.png", "step_0000004.png"],
            Directory.GetFiles(Path.Combine(root, "run", "samples")).Select(Path.GetFileName).Order());
        using var samples = training.Generate(new MomentumSampler(), 2, 2, seed: 3);
        Assert.Equal([2L, 3, 64, 64], samples.X.shape);
        Assert.True(samples.X.isfinite().all().item<bool>());
    }

    [Fact]
    public void ThePaperProfilesNetworkTrainsOnCelebA()
    {
        // The paper profile as it is except for the sizes of this test: batch 2, statistics of the fixture's 8 images.
        var paper = Profile.Paper with { Training = Profile.Paper.Training with { BatchSize = 2, CheckpointEvery = 0 }, ImagesForStatistics = 8, SampleEvery = 0 };
        using var training = ProfileTraining.Open(paper, Path.Combine(root, "paper"), CelebA());
        Assert.Equal(UNetConfig.Paper(3), training.Trainer.Network.Config);
        var losses = new List<double>();
        training.Train(1, r => losses.Add(r.Loss));
        Assert.True(double.IsFinite(losses.Single()));
    }

    [Fact]
    public void StatisticsImagesAreTheFirstUnflippedImagesUpToTheSetsSize()
    {
        using var data = CelebA();
        using var all = data.StatisticsImages(100);
        using var first = data.StatisticsImages(3);
        Assert.Equal([8L, 3, 64, 64], all.shape);
        Assert.True(first.equal(all.narrow(0, 0, 3)).all().item<bool>());
        using var stored = data.Images.Images([0, 1, 2]);
        Assert.True(first.equal(stored).all().item<bool>());
    }

    [Fact]
    public void ACelebARunResumesExactlyFlipsIncluded()
    {
        var straightLosses = new List<double>();
        using var straight = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, Path.Combine(root, "straight"), CelebA());
        straight.Train(4, r => straightLosses.Add(r.Loss));

        var resumedLosses = new List<double>();
        string halves = Path.Combine(root, "halves");
        using (var first = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, halves, CelebA())) first.Train(2, r => resumedLosses.Add(r.Loss));
        using var second = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, halves, CelebA());
        Assert.Equal(2, second.StartStep);
        second.Train(2, r => resumedLosses.Add(r.Loss));

        Assert.Equal(straightLosses, resumedLosses);
        foreach (var (a, b) in straight.Trainer.EmaNetwork.parameters().Zip(second.Trainer.EmaNetwork.parameters()))
            Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void AFashionMnistFolderIsNotResumedWithCelebA()
    {
        string run = Path.Combine(root, "fashion");
        using (var fashion = ProfileTraining.Open(Tiny with { SampleEvery = 0 }, run,
            TrainingSet.FashionMnist(FashionMnist.Load(FashionMnistSplit.Test), 64))) fashion.Train(1);
        var e = Assert.ThrowsAny<ArgumentException>(() => ProfileTraining.Open(Tiny with { SampleEvery = 0 }, run, CelebA()));
        Assert.Contains("image channels", e.Message);
    }

    [Fact]
    public void NotebookFourTrainsOnCelebAInThePaperProfileOrWhenAFolderIsConfigured()
    {
        string? previousCelebA = Environment.GetEnvironmentVariable(CelebAFolder.EnvironmentVariable);
        string? previousRuns = Environment.GetEnvironmentVariable("SOFT_DIFFUSION_RUNS");
        try
        {
            Environment.SetEnvironmentVariable("SOFT_DIFFUSION_RUNS", root);
            Environment.SetEnvironmentVariable(CelebAFolder.EnvironmentVariable, null);
            Assert.False(TrainingSet.UsesCelebA(Profile.Cpu));
            Assert.True(TrainingSet.UsesCelebA(Profile.Paper));
            var missing = Assert.Throws<DirectoryNotFoundException>(() => TrainingSet.Load(Profile.Paper));
            Assert.Contains(CelebAFolder.EnvironmentVariable, missing.Message);
            Assert.Contains(CelebAFolder.ProjectPage, missing.Message);

            Environment.SetEnvironmentVariable(CelebAFolder.EnvironmentVariable, prepared.Folder.Root);
            Assert.True(TrainingSet.UsesCelebA(Profile.Cpu));
            using var data = TrainingSet.Load(Tiny);   // prepares runs/cache/celeba64-train.u8 from the folder
            Assert.Equal((TrainingSet.CelebAName, 8), (data.Name, data.Count));
            Assert.True(File.Exists(Path.Combine(root, "cache", "celeba64-train.u8")));
            Assert.Equal(Path.Combine(root, "celeba-blur-cpu"), ProfileTraining.DefaultRunDirectory(Profile.Cpu, TrainingRecipe.Blur, data.Name));
            var seedOne = Profile.Cpu with { Training = Profile.Cpu.Training with { Seed = 1 } };
            Assert.Equal(Path.Combine(root, "celeba-blur-cpu-seed1"), ProfileTraining.DefaultRunDirectory(seedOne, TrainingRecipe.Blur, data.Name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(CelebAFolder.EnvironmentVariable, previousCelebA);
            Environment.SetEnvironmentVariable("SOFT_DIFFUSION_RUNS", previousRuns);
        }
    }
}
