using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class FashionScorerTests : IDisposable
{
    static readonly Profile Tiny = Profile.Smoke with { TrainingSteps = 2, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64 };
    static readonly FashionMnist EmbeddedSplit = FashionMnist.Load(FashionMnistSplit.Test);

    // A fresh training set per run (a run owns and disposes its images).
    static TrainingSet Embedded => TrainingSet.FashionMnist(EmbeddedSplit, 64);
    readonly string root = Path.Combine(Path.GetTempPath(), $"scorer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void RealImagesScoreFarBetterThanNoiseAndTheScoreIsLabelled()
    {
        using var scorer = new FashionScorer();
        using var real = EmbeddedSplit.Images(0, 500);
        using var noise = rand(500, 1, 28, 28, generator: new Generator(2)) * 2 - 1;
        var realScore = scorer.Evaluate([real]);
        var noiseScore = scorer.Evaluate([noise]);
        // Real test images against the test split's own statistics: only the small-sample bias remains; uniform
        // noise is nothing like a garment to the classifier.
        Assert.True(realScore.Fid * 10 < noiseScore.Fid, $"real {realScore.Fid}, noise {noiseScore.Fid}");
        Assert.True(Math.Abs(realScore.KidMean!.Value) < 0.01 * noiseScore.KidMean!.Value, $"KID real {realScore.KidMean}, noise {noiseScore.KidMean}");
        Assert.Equal("FMNIST-CNN penultimate (not Inception FID)", realScore.ExtractorName);
        Assert.Contains("test split (10000 images)", scorer.ReferenceName);
    }

    [Fact]
    public void ScoresAreCachedPerSamplerNfeCountSeedAndStepAndDoNotDependOnTheBatchSize()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        training.Train(2);
        using var small = new FashionScorer(batchSize: 3);
        var first = small.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4);
        string cache = FashionScorer.CachePath(training.Model.ScoresFolder, SamplerKind.Momentum, 2, 8, 4, step: 2);
        Assert.True(File.Exists(cache));
        Assert.Equal(first, small.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4));   // read back from the file

        File.Delete(cache);
        using var large = new FashionScorer(batchSize: 8);
        var again = large.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4);
        Assert.Equal(first.Fid, again.Fid, 3);   // the same 8 samples, drawn in batches of 3 or of 8

        var otherSampler = large.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 8, seed: 4);
        Assert.NotEqual(first.Fid, otherSampler.Fid);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "scores"), "*.json").Length);   // the Momentum and the Naive score
        using var features = FashionScorer.CachedFeatures(training.Model.ScoresFolder, otherSampler);      // kept for paired comparisons
        Assert.Equal([8L, 128], features.shape);
        Assert.True(first.FidLow < first.FidHigh);   // 8 samples: the percentile interval need not contain the (biased) estimate
        Assert.True(first.SingularCovariance, "8 samples of 128-d features: flagged");
    }

    [Fact]
    public void TooFewSamplesOrStepsAreRefused()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        using var scorer = new FashionScorer();
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(training.Model, SamplerKind.Momentum, nfe: 0, samples: 4));
    }

    [Fact]
    public void AMissingClassifierFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new FashionScorer(Path.Combine(root, "missing.dat")));
        Assert.Contains("missing.dat", e.Message);
    }
}
