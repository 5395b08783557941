using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class FidEvaluatorTests
{
    /// <summary>Test double: the 4 pixels of a 1 x 2 x 2 image are its features.</summary>
    sealed class PixelFeatures : IFeatureExtractor
    {
        public int Calls { get; private set; }
        public string Name => "pixels";
        public int Dimension => 4;
        public Tensor Features(Tensor images)
        {
            Calls++;
            return images.flatten(1).to(ScalarType.Float32);
        }
    }

    static Tensor Images(long n, ulong seed, double shift)
    {
        using var g = new Generator(seed);
        return (randn([n, 1, 2, 2], generator: g) * 0.3 + shift).clamp(-1, 1);
    }

    static IEnumerable<Tensor> Batches(Tensor images, long batch)
    {
        for (long start = 0; start < images.shape[0]; start += batch)
            yield return images.narrow(0, start, Math.Min(batch, images.shape[0] - start));
    }

    [Fact]
    public void FidEqualsTheFrechetDistanceOfDirectStatisticsWhateverTheBatching()
    {
        var extractor = new PixelFeatures();
        using var reference = Images(300, 1, 0);
        using var generated = Images(200, 2, 0.2);
        using var referenceStats = FidEvaluator.Statistics(extractor, Batches(reference, 64));
        using var generatedStats = FidStatistics.FromFeatures(generated.flatten(1));
        var expected = FrechetDistance.Compute(generatedStats, referenceStats).Value;

        var evaluator = new FidEvaluator(extractor, referenceStats, new FidEvaluatorOptions(BatchSize: 7));
        int callsBefore = extractor.Calls;
        var result = evaluator.Evaluate(Batches(generated, 25));
        Assert.Equal(8 * 4, extractor.Calls - callsBefore); // 8 batches of 25, each split into 7 + 7 + 7 + 4
        // Same numbers accumulated in a different grouping: float64 round-off only.
        Assert.Equal(expected, result.Fid, 1e-10);
        Assert.Equal(200, result.SampleCount);
        Assert.Equal(300, result.ReferenceCount);
        Assert.Equal("pixels", result.ExtractorName);
        Assert.False(result.SingularCovariance);
        Assert.Null(result.KidMean);
    }

    [Fact]
    public void KidIsReportedWhenRequestedAndOrdersTheShifts()
    {
        var extractor = new PixelFeatures();
        using var reference = Images(300, 3, 0);
        using var referenceFeatures = FidEvaluator.Features(extractor, Batches(reference, 100));
        using var referenceStats = FidStatistics.FromFeatures(referenceFeatures);
        var options = new FidEvaluatorOptions(ComputeKid: true, Kid: new KernelInceptionDistanceOptions(SubsetCount: 10, SubsetSize: 100));
        var evaluator = new FidEvaluator(extractor, referenceStats, options, referenceFeatures);
        using var near = Images(200, 4, 0.05);
        using var far = Images(200, 5, 0.4);
        var nearResult = evaluator.Evaluate(Batches(near, 50));
        var farResult = evaluator.Evaluate(Batches(far, 50));
        Assert.NotNull(nearResult.KidMean);
        Assert.NotNull(nearResult.KidStandardDeviation);
        Assert.True(nearResult.KidMean < farResult.KidMean, $"{nearResult.KidMean} < {farResult.KidMean}");
        Assert.True(nearResult.Fid < farResult.Fid, $"{nearResult.Fid} < {farResult.Fid}");
    }

    [Fact]
    public void FewSamplesAreFlagged()
    {
        var extractor = new PixelFeatures();
        using var reference = Images(100, 6, 0);
        using var referenceStats = FidEvaluator.Statistics(extractor, [reference]);
        using var generated = Images(3, 7, 0);
        var result = new FidEvaluator(extractor, referenceStats).Evaluate([generated]);
        Assert.True(result.SingularCovariance);
        Assert.NotNull(result.Frechet.Warning);
    }

    [Fact]
    public void MismatchedReferenceOrMissingKidFeaturesAreErrors()
    {
        var extractor = new PixelFeatures();
        using var wrong = new FidStatistics(2048);
        var e = Assert.Throws<ArgumentException>(() => new FidEvaluator(extractor, wrong));
        Assert.Contains("4-d", e.Message);
        Assert.Contains("2048-d", e.Message);
        using var right = new FidStatistics(4);
        Assert.Throws<ArgumentException>(() => new FidEvaluator(extractor, right, new FidEvaluatorOptions(ComputeKid: true)));
    }
}
