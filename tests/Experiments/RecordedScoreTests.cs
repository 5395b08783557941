using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class RecordedScoreTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"sd-recorded-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static SampleScore Score(SamplerKind sampler, int nfe, double fid, StartKind start = StartKind.Fitted) =>
        new("blur", 100, sampler, nfe, 300, 0, fid, 0.01, 0.001, "features", "reference", false, 1.0, fid - 1, fid + 1, start);

    // Writes a cached score whose features are a shifted Gaussian (rows paired across samplers through the seed).
    ScoreCache Write(string model, SamplerKind sampler, int nfe, double shift, bool withFeatures = true, StartKind start = StartKind.Fitted)
    {
        var cache = new ScoreCache(Path.Combine(root, model), "features");
        using var features = randn(300, 4, generator: new Generator(1)) + shift;
        var score = Score(sampler, nfe, shift, start);
        cache.Write(score, features);
        if (!withFeatures) File.Delete(Path.ChangeExtension(cache.PathOf(score), ".features"));
        return cache;
    }

    // Runs do not outlive a session: what was recorded must survive a later collection, without mixing two files of one name.
    [Fact]
    public void MergeReplacesCollectedModelsWholeAndKeepsTheOthers()
    {
        var interval = new FidInterval(-3, -5, -1, 0.95, 200);
        RecordedScore Entry(string model, SamplerKind sampler, int nfe, double fid, FidInterval? difference = null) =>
            new(model, Score(sampler, nfe, fid), difference is null ? null : SamplerKind.Naive, difference);
        var recorded = new[]
        {
            Entry("old-export", SamplerKind.Naive, 50, 200),
            Entry("shipped", SamplerKind.Momentum, 50, 130, interval),   // the same score again below, its features gone
            Entry("shipped", SamplerKind.Momentum, 200, 120),            // of a replaced file: must not survive
        };
        var collected = new[] { Entry("shipped", SamplerKind.Momentum, 50, 130), Entry("shipped", SamplerKind.Naive, 50, 140) };

        var merged = RecordedScore.Merge(recorded, collected);

        Assert.Equal([("shipped", 50, 130.0), ("shipped", 50, 140.0), ("old-export", 50, 200.0)],
            merged.Select(r => (r.Model, r.Score.Nfe, r.Score.Fid)));
        Assert.Equal(interval, merged[0].Difference);
        Assert.Null(merged[1].Difference);
        var resampled = RecordedScore.Merge(recorded, [Entry("shipped", SamplerKind.Momentum, 50, 130) with
        {
            // Sampled again on another machine: the same result up to rounding, another wall time.
            Score = Score(SamplerKind.Momentum, 50, 130) with { SamplingSeconds = 442, Fid = 130 * (1 + 5e-8), KidMean = 0.01 * (1 - 5e-8) },
        }]);
        Assert.Equal(interval, resampled[0].Difference);
        var changed = RecordedScore.Merge(recorded, [Entry("shipped", SamplerKind.Momentum, 50, 131)]);
        Assert.Null(changed[0].Difference);   // another score: the recorded difference belongs to the old one
    }

    [Fact]
    public void EachScoreIsPairedWithTheNaiveScoreOfTheSameSettingsElseMomentum()
    {
        var blur = Write("blur", SamplerKind.Naive, 10, 0.0);
        Write("blur", SamplerKind.Momentum, 10, 0.5);
        Write("blur", SamplerKind.SoftDdim, 10, 1.0);
        Write("blur", SamplerKind.Momentum, 20, 0.5);                  // no Naive at NFE 20: nothing to pair with
        var identity = Write("identity", SamplerKind.Momentum, 10, 0.0);
        Write("identity", SamplerKind.EdmHeun, 10, 0.3);
        using var reference = randn(500, 4, generator: new Generator(2));

        var recorded = RecordedScore.Collect([("blur", blur), ("identity", identity)], reference);

        RecordedScore Find(string model, SamplerKind sampler, int nfe) => recorded.Single(r => r.Model == model && r.Score.Sampler == sampler && r.Score.Nfe == nfe);
        Assert.Equal(6, recorded.Count);
        Assert.Null(Find("blur", SamplerKind.Naive, 10).PairedWith);
        Assert.Equal(SamplerKind.Naive, Find("blur", SamplerKind.Momentum, 10).PairedWith);
        Assert.Equal(SamplerKind.Naive, Find("blur", SamplerKind.SoftDdim, 10).PairedWith);
        Assert.Null(Find("blur", SamplerKind.Momentum, 20).Difference);
        Assert.Equal(SamplerKind.Momentum, Find("identity", SamplerKind.EdmHeun, 10).PairedWith);

        // The recorded difference is the paired bootstrap of the cached features, computed independently here.
        using var naive = randn(300, 4, generator: new Generator(1));
        using var momentum = naive + 0.5;
        var expected = FidBootstrap.Difference(momentum, naive, reference, SampleScorer.BootstrapResamples);
        Assert.Equal(expected, Find("blur", SamplerKind.Momentum, 10).Difference);
        Assert.True(Find("blur", SamplerKind.SoftDdim, 10).Difference!.Estimate > Find("blur", SamplerKind.Momentum, 10).Difference!.Estimate,
            "A set shifted further from the reference should have the larger FID difference.");
    }

    [Fact]
    public void AScoreFromAnotherStartIsPairedWithTheSameSamplerFromTheFittedStart()
    {
        var blur = Write("blur", SamplerKind.Naive, 50, 0.0);
        Write("blur", SamplerKind.Momentum, 50, 0.5);
        Write("blur", SamplerKind.Momentum, 50, 0.2, start: StartKind.GaussianMixture);
        Write("blur", SamplerKind.Naive, 50, 0.3, start: StartKind.TrainingImages);
        Write("blur", SamplerKind.Naive, 20, 0.3, start: StartKind.TrainingImages);   // no fitted score at NFE 20
        using var reference = randn(500, 4, generator: new Generator(2));

        var recorded = RecordedScore.Collect([("blur", blur)], reference);

        RecordedScore Find(SamplerKind sampler, int nfe, StartKind start) =>
            recorded.Single(r => r.Score.Sampler == sampler && r.Score.Nfe == nfe && r.Score.Start == start);
        var mixture = Find(SamplerKind.Momentum, 50, StartKind.GaussianMixture);
        Assert.Equal(SamplerKind.Momentum, mixture.PairedWith);
        using var fitted = randn(300, 4, generator: new Generator(1)) + 0.5;
        using var drawn = randn(300, 4, generator: new Generator(1)) + 0.2;
        Assert.Equal(FidBootstrap.Difference(drawn, fitted, reference, SampleScorer.BootstrapResamples), mixture.Difference);
        Assert.Equal(SamplerKind.Naive, Find(SamplerKind.Naive, 50, StartKind.TrainingImages).PairedWith);
        Assert.Null(Find(SamplerKind.Naive, 20, StartKind.TrainingImages).PairedWith);
        Assert.Equal(SamplerKind.Naive, Find(SamplerKind.Momentum, 50, StartKind.Fitted).PairedWith);   // the samplers' pairing is unchanged
    }

    [Fact]
    public void AScoreWithoutFeaturesIsRecordedWithoutADifference()
    {
        var cache = Write("blur", SamplerKind.Naive, 10, 0.0);
        Write("blur", SamplerKind.Momentum, 10, 0.5, withFeatures: false);
        using var reference = randn(500, 4, generator: new Generator(2));
        var momentum = RecordedScore.Collect([("blur", cache)], reference).Single(r => r.Score.Sampler == SamplerKind.Momentum);
        Assert.Equal(SamplerKind.Naive, momentum.PairedWith);
        Assert.Null(momentum.Difference);
    }

    [Fact]
    public void SavedScoresReadBackEqual()
    {
        var cache = Write("blur", SamplerKind.Naive, 10, 0.0);
        Write("blur", SamplerKind.Momentum, 10, 0.5);
        using var reference = randn(500, 4, generator: new Generator(2));
        var recorded = RecordedScore.Collect([("blur", cache)], reference);
        string path = Path.Combine(root, "scores.json");
        RecordedScore.Save(path, recorded);
        Assert.Equal(recorded, RecordedScore.Load(path));
    }

    [Fact]
    public void TheDifferenceOfTwoCachedScoresIsPairedAndNeedsTheSameSamples()
    {
        var a = Write("a", SamplerKind.Momentum, 10, 0.5);
        var b = Write("b", SamplerKind.Momentum, 10, 0.0);
        using var reference = randn(500, 4, generator: new Generator(2));
        static string Cache(ScoreCache cache) => cache.PathOf(SamplerKind.Momentum, 10, 300, 0, 100);
        var (first, second, difference) = RecordedScore.DifferenceOf(Cache(a), Cache(b), reference);
        using var x = randn(300, 4, generator: new Generator(1));
        using var shifted = x + 0.5;
        Assert.Equal((0.5, 0.0), (first.Fid, second.Fid));
        Assert.Equal(FidBootstrap.Difference(shifted, x, reference, SampleScorer.BootstrapResamples), difference);

        var other = new ScoreCache(Path.Combine(root, "c"), "features");
        using (var features = randn(300, 4)) other.Write(Score(SamplerKind.Momentum, 10, 0) with { Seed = 7 }, features);
        string otherSeed = other.PathOf(SamplerKind.Momentum, 10, 300, 7, 100);
        Assert.Contains("same samples and seed", Assert.Throws<ArgumentException>(() => RecordedScore.DifferenceOf(Cache(a), otherSeed, reference)).Message);
        var inception = new ScoreCache(Path.Combine(root, "c"), "inception");
        using (var features = randn(300, 4)) inception.Write(Score(SamplerKind.Momentum, 10, 0) with { Extractor = "inception" }, features);
        Assert.Contains("same feature extractor", Assert.Throws<ArgumentException>(() => RecordedScore.DifferenceOf(Cache(a), Cache(inception), reference)).Message);
        Assert.Throws<FileNotFoundException>(() => RecordedScore.DifferenceOf(Cache(a), Path.Combine(root, "none.json"), reference));
    }

    [Fact]
    public void TheCommittedScoresFileReads()
    {
        var recorded = RecordedScore.Load(Path.Combine(SoftDiffusion.Runtime.ProjectPaths.Root, "docs", "scores.json"));
        Assert.NotEmpty(recorded);
        Assert.All(recorded, r => Assert.True(r.Score.Samples >= 2000, $"{r.Model} {r.Score.Sampler} NFE {r.Score.Nfe}: n = {r.Score.Samples}, expected at least 2,000."));
        Assert.All(recorded.Where(r => r.Difference is not null), r => Assert.True(r.Difference!.Low <= r.Difference.Estimate && r.Difference.Estimate <= r.Difference.High));
    }
}
