using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class ScoreCacheTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("sd-score-cache-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static SampleScore Score(string extractor) =>
        new("blur", 100, SamplerKind.Naive, 10, 300, 0, 5.0, 0.01, 0.001, extractor, "reference", false, 1.0, 4.0, 6.0);

    [Fact]
    public void TheClassifiersScoresStayInTheScoresFolderAndOtherExtractorsGetANamedSubfolder()
    {
        Assert.Equal(root, new ScoreCache(root, FashionClassifierFeatures.ExtractorName).Folder);
        Assert.Equal(Path.Combine(root, "fid-inception-v3-pool3-pytorch-fid"), new ScoreCache(root, "FID Inception-v3 pool3 (pytorch-fid)").Folder);
    }

    [Fact]
    public void TheCommittedScoresOfTheShippedModelsRead()
    {
        string scores = Path.Combine(ProjectPaths.Data, "models", "scores");
        Assert.All(Directory.GetDirectories(scores), folder =>
        {
            var cache = new ScoreCache(folder, FashionClassifierFeatures.ExtractorName);
            Assert.NotEmpty(cache.All());
            Assert.All(cache.All(), s => Assert.Equal(s, cache.Find(s.Sampler, s.Nfe, s.Samples, s.Seed, s.TrainingSteps, s.Start)));
        });
    }

    [Fact]
    public void AScoreOfAnotherExtractorIsNeitherWrittenNorReadAsOwn()
    {
        var classifier = new ScoreCache(root, FashionClassifierFeatures.ExtractorName);
        var other = new ScoreCache(root, "other features");
        using var features = zeros(300, 4);
        other.Write(Score("other features"), features);
        var e = Assert.Throws<ArgumentException>(() => classifier.Write(Score("other features"), features));
        Assert.Contains($"Expected a score of '{FashionClassifierFeatures.ExtractorName}'", e.Message);

        File.Copy(other.PathOf(Score("other features")), classifier.PathOf(Score("other features")));   // a file put in the wrong folder
        var read = Assert.Throws<InvalidDataException>(() => classifier.Find(SamplerKind.Naive, 10, 300, 0, 100));
        Assert.Contains("holds a score of 'other features'", read.Message);
        Assert.Equal(Score("other features"), other.Find(SamplerKind.Naive, 10, 300, 0, 100));
    }

    [Fact]
    public void AnExtractorNameWithoutALetterOrDigitIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ScoreCache(root, " () "));
        Assert.Contains("Expected a feature extractor's name with a letter or digit, got ' () '", e.Message);
    }
}
