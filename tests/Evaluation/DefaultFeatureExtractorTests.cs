using SoftDiffusion.Evaluation;
using TorchSharp.PyBridge;

namespace SoftDiffusion.Tests.Evaluation;

/// <summary>Which extractor scores use by default; the real Inception weights are not on this machine, so a file of a
/// randomly initialised network stands in for them.</summary>
public sealed class DefaultFeatureExtractorTests
{
    [Fact]
    public void ASetVariableNamesTheInceptionWeightsElseTheFileInDataWhenPresent()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string inData = folder.File(FidInceptionV3.WeightsFileName), mine = folder.File("mine.pth");
        Assert.Null(DefaultFeatureExtractor.InceptionWeights(null, inData));
        Assert.Null(DefaultFeatureExtractor.InceptionWeights("", inData));
        Assert.Equal(mine, DefaultFeatureExtractor.InceptionWeights(mine, inData));   // set: taken even before the file is there
        File.WriteAllBytes(inData, [1]);
        Assert.Equal(inData, DefaultFeatureExtractor.InceptionWeights(null, inData));
        Assert.Equal(mine, DefaultFeatureExtractor.InceptionWeights(mine, inData));
    }

    [Fact]
    public void WithoutInceptionWeightsTheClassifierIsLoaded()
    {
        var extractor = DefaultFeatureExtractor.Load(null);
        using var module = Assert.IsType<FashionClassifierFeatures>(extractor);
        Assert.Equal("FMNIST-CNN penultimate (not Inception FID)", extractor.Name);
    }

    [Fact]
    public void WithInceptionWeightsTheFidInceptionIsLoaded()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File(FidInceptionV3.WeightsFileName);
        using (var random = new FidInceptionV3()) random.save_py(path);
        var extractor = DefaultFeatureExtractor.Load(path);
        using var module = Assert.IsType<FidInceptionV3>(extractor);
        Assert.Equal("FID Inception-v3 pool3 (pytorch-fid)", extractor.Name);
    }

    [Fact]
    public void ASetVariableNamingAMissingFileIsAnErrorNotTheClassifier()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DefaultFeatureExtractor.Load(Path.Combine(Path.GetTempPath(), "no-inception.pth")));
        Assert.Contains("no-inception.pth", e.Message);
    }
}
