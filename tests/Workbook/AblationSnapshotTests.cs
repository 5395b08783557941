using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

[Collection(RunsFolderCollection.Name)]
public sealed class AblationSnapshotTests : IDisposable
{
    // A cpu-named profile (main runs go to the runs folder) at smoke size: 4 steps, the ablation budget 2.
    static readonly Profile TinyCpu = Profile.Smoke with
    {
        Name = ProfileName.Cpu, TrainingSteps = 4, AblationSteps = 2, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64,
    };
    static readonly FashionMnist EmbeddedSplit = FashionMnist.Load(FashionMnistSplit.Test);

    // A fresh training set per run (a run owns and disposes its images).
    static TrainingSet Embedded => TrainingSet.FashionMnist(EmbeddedSplit, 64);

    readonly string runs = Directory.CreateTempSubdirectory("sd-runs-").FullName;
    readonly string? previous = Environment.GetEnvironmentVariable("SOFT_DIFFUSION_RUNS");

    public AblationSnapshotTests() => Environment.SetEnvironmentVariable("SOFT_DIFFUSION_RUNS", runs);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SOFT_DIFFUSION_RUNS", previous);
        Directory.Delete(runs, recursive: true);
    }

    [Fact]
    public void AMainRunPassingTheAblationBudgetLeavesExactlyTheAblationRun()
    {
        using (var main = ProfileTraining.Open(TinyCpu, data: Embedded))
        {
            Assert.Equal(Path.Combine(runs, "fashion-blur-cpu"), main.Run.Root);
            main.Train(main.RemainingSteps);
        }
        using var snapshot = ProfileTraining.OpenAblation(TinyCpu, TrainingRecipe.Blur, Embedded);
        Assert.Equal(Path.Combine(runs, "ablation-blur-cpu"), snapshot.Run.Root);
        Assert.Equal(2, snapshot.Trainer.Step);
        Assert.Equal(0, snapshot.RemainingSteps);

        using var trained = ProfileTraining.Open(TinyCpu, Path.Combine(runs, "separate"), Embedded, recipe: TrainingRecipe.Blur, totalSteps: 2);
        trained.Train(trained.RemainingSteps);
        // Bitwise: the same seeds, batches and arithmetic, whatever the total budget.
        foreach (var (a, b) in snapshot.Trainer.EmaNetwork.parameters().Zip(trained.Trainer.EmaNetwork.parameters()))
            Assert.True(a.equal(b).all().item<bool>(), $"EMA max diff {(a - b).abs().max().item<float>()} of {a.abs().max().item<float>()}");
        foreach (var (a, b) in snapshot.Trainer.Network.parameters().Zip(trained.Trainer.Network.parameters()))
            Assert.True(a.equal(b).all().item<bool>(), $"max diff {(a - b).abs().max().item<float>()} of {a.abs().max().item<float>()}");
    }

    [Fact]
    public void AnExistingAblationRunIsNotOverwritten()
    {
        using (var ablation = ProfileTraining.OpenAblation(TinyCpu, TrainingRecipe.Blur, Embedded)) ablation.Train(1);
        var before = File.ReadAllBytes(Path.Combine(runs, "ablation-blur-cpu", "checkpoints", "latest.ckpt"));
        using (var main = ProfileTraining.Open(TinyCpu, data: Embedded)) main.Train(main.RemainingSteps);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(runs, "ablation-blur-cpu", "checkpoints", "latest.ckpt")));
    }
}
