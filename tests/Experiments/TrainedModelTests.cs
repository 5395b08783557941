using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Sampling;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class TrainedModelTests : IDisposable
{
    static readonly Profile Tiny = Profile.Smoke with { TrainingSteps = 2, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64 };
    readonly string root = Path.Combine(Path.GetTempPath(), $"trained-model-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void GenerateInBatchesDrawsTheSamplesOfOneCall()
    {
        // Sample k uses generator seed + k, so five samples drawn two at a time equal the five of one call.
        using var training = ProfileTraining.Open(Tiny, Path.Combine(root, "run"), TrainingSet.FashionMnist(FashionMnist.Load(FashionMnistSplit.Test), 64));
        training.Train(2);
        using var model = training.Model;
        using var batched = model.GenerateInBatches(new MomentumSampler(), 5, 3, seed: 4, batchSize: 2);
        using var once = model.Generate(new MomentumSampler(), 5, 3, seed: 4);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, batched.shape);
        Assert.True((batched - once.X.cpu()).abs().max().item<float>() < 1e-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateInBatches(new MomentumSampler(), 0, 3, seed: 4));
    }
}
