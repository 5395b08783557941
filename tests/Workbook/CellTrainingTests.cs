using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

/// <summary>Training from a notebook cell, run outside a kernel (no interrupt token): the remaining steps are trained
/// with the progress record returned, and a complete run trains nothing.</summary>
public sealed class CellTrainingTests : IDisposable
{
    static readonly Profile Tiny = Profile.Smoke with
    {
        TrainingSteps = 3, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64,
        Training = Profile.Smoke.Training with { CheckpointEvery = 0, CheckpointMinutes = 0 },
    };

    readonly string root = Path.Combine(Path.GetTempPath(), $"cell-training-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void TrainsTheRemainingStepsThenNothing()
    {
        using var training = ProfileTraining.Open(Tiny, root, TrainingSet.FashionMnist(FashionMnist.Load(FashionMnistSplit.Test), 64));
        Assert.Equal(1, CellTraining.Train(training, steps: 1).StepsTrained);
        Assert.Equal(1, training.Trainer.Step);
        var rest = CellTraining.Train(training);
        Assert.Equal(2, rest.StepsTrained);
        Assert.Equal(new double[] { 2, 3 }, rest.LossCurve.X);
        Assert.Equal(3, training.Trainer.Step);
        Assert.Equal(0, CellTraining.Train(training).StepsTrained);
    }
}
