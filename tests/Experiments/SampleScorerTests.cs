using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class SampleScorerTests : IDisposable
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

    /// <summary>A cheap stand-in extractor: the means of the four 14 x 14 quadrants, times a scale.</summary>
    sealed class QuadrantMeans(string name, double scale = 1) : IFeatureExtractor
    {
        public string Name => name;
        public int Dimension => 4;
        public Tensor Features(Tensor images) => (scale * nn.functional.avg_pool2d(images.clamp(-1, 1), 14)).flatten(1).to(ScalarType.Float32);
    }

    [Fact]
    public void RealImagesScoreFarBetterThanNoiseAndTheScoreIsLabelled()
    {
        using var scorer = new SampleScorer();
        using var real = EmbeddedSplit.Images(0, 500);
        using var noise = rand(500, 1, 28, 28, generator: new Generator(2)) * 2 - 1;
        var realScore = scorer.Evaluate([real]);
        var noiseScore = scorer.Evaluate([noise]);
        // Real test images against the test split's own statistics: only the small-sample bias remains; uniform
        // noise is nothing like a garment to the classifier.
        Assert.True(realScore.Fid * 10 < noiseScore.Fid, $"real {realScore.Fid}, noise {noiseScore.Fid}");
        Assert.True(Math.Abs(realScore.KidMean!.Value) < 0.01 * noiseScore.KidMean!.Value, $"KID real {realScore.KidMean}, noise {noiseScore.KidMean}");
        Assert.Equal("FMNIST-CNN penultimate (not Inception FID)", realScore.ExtractorName);   // no Inception weights on the test machines
        Assert.Contains("test split (10000 images)", scorer.ReferenceName);
    }

    [Fact]
    public void ScoresAreCachedPerSamplerNfeCountSeedAndStepAndDoNotDependOnTheBatchSize()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        training.Train(2);
        using var small = new SampleScorer(batchSize: 3);
        var first = small.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4);
        var cache = small.Cache(training.Model.ScoresFolder);
        Assert.True(File.Exists(cache.PathOf(SamplerKind.Momentum, 2, 8, 4, step: 2)));
        Assert.Equal(first, small.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4));   // read back from the file

        File.Delete(cache.PathOf(first));
        using var large = new SampleScorer(batchSize: 8);
        var again = large.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 8, seed: 4);
        Assert.Equal(first.Fid, again.Fid, 3);   // the same 8 samples, drawn in batches of 3 or of 8

        var otherSampler = large.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 8, seed: 4);
        Assert.NotEqual(first.Fid, otherSampler.Fid);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "scores"), "*.json").Length);   // the Momentum and the Naive score
        using var features = cache.Features(otherSampler);      // kept for paired comparisons
        Assert.Equal([8L, 128], features.shape);
        Assert.True(first.FidLow < first.FidHigh);   // 8 samples: the percentile interval need not contain the (biased) estimate
        Assert.True(first.SingularCovariance, "8 samples of 128-d features: flagged");
    }

    [Fact]
    public void WithAnyExtractorTheFidIsThatOfTheSameFeaturesComputedDirectly()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        training.Train(2);
        var extractor = new QuadrantMeans("quadrant means");
        using var scorer = new SampleScorer(extractor, batchSize: 5);
        var score = scorer.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 12, seed: 3);

        using var samples = training.Model.GenerateInBatches(Samplers.Create(SamplerKind.Momentum), 12, 2, seed: 3, batchSize: 12);
        using var generated = FidStatistics.FromFeatures(extractor.Features(samples));
        using var test = EmbeddedSplit.Images();
        using var reference = FidStatistics.FromFeatures(extractor.Features(test));
        double direct = FrechetDistance.Compute(generated, reference).Value;
        Assert.Equal(direct, score.Fid, 1e-4 * direct);
        Assert.Equal("quadrant means", score.Extractor);
        Assert.False(score.SingularCovariance, "12 samples of 4-d features");
        Assert.True(File.Exists(Path.Combine(training.Model.ScoresFolder, "quadrant-means", Path.GetFileName(scorer.Cache(training.Model.ScoresFolder).PathOf(score)))));
    }

    [Fact]
    public void TheScoresOfTwoExtractorsAreCachedApartAndEachReadsItsOwn()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        training.Train(2);
        using var near = new SampleScorer(new QuadrantMeans("near"));
        using var far = new SampleScorer(new QuadrantMeans("far", scale: 10));
        var nearScore = near.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 6, seed: 1);
        var farScore = far.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 6, seed: 1);

        Assert.Equal(100 * nearScore.Fid, farScore.Fid, 1e-4 * farScore.Fid);   // features 10 times larger: a distance of squares 100 times larger
        Assert.Equal(nearScore, near.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 6, seed: 1));   // each reads its own back
        Assert.Equal(farScore, far.Score(training.Model, SamplerKind.Naive, nfe: 2, samples: 6, seed: 1));
        Assert.NotEqual(near.Cache(training.Model.ScoresFolder).Folder, far.Cache(training.Model.ScoresFolder).Folder);
        Assert.Empty(Directory.GetFiles(training.Model.ScoresFolder, "*.json"));   // the classifier's folder holds neither
    }

    [Fact]
    public void TooFewSamplesOrStepsAreRefused()
    {
        using var training = ProfileTraining.Open(Tiny, root, Embedded);
        using var scorer = new SampleScorer(new QuadrantMeans("quadrant means"));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(training.Model, SamplerKind.Momentum, nfe: 2, samples: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(training.Model, SamplerKind.Momentum, nfe: 0, samples: 4));
    }
}
