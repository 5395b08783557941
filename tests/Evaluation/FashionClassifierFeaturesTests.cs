using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class FashionClassifierFeaturesTests
{
    /// <summary>
    /// A separable 10-class problem: class k is a bright 6 x 6 square at cell k of a 5 x 2 grid over noisy dark images.
    /// </summary>
    static (Tensor Images, Tensor Labels) Squares(int perClass, ulong seed)
    {
        using var g = new Generator(seed);
        using var scope = NewDisposeScope();
        var labels = arange(10, dtype: ScalarType.Int64).repeat(perClass);
        var images = (randn([10 * perClass, 1, 28, 28], generator: g) * 0.3f - 0.5f).clamp(-1, 1);
        for (int i = 0; i < labels.shape[0]; i++)
        {
            long k = labels[i].item<long>();
            long row = 2 + 12 * (k / 5), col = 1 + 5 * (k % 5);
            images[i, 0, TensorIndex.Slice(row, row + 6), TensorIndex.Slice(col, col + 5)] = tensor(0.9f);
        }
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    [Fact]
    public void LearnsASeparableProblemWithAFixedSeed()
    {
        var (train, trainLabels) = Squares(10, 1);
        var (test, testLabels) = Squares(10, 2);
        var losses = new List<double>();
        using var untrained = FashionClassifierFeatures.Train(train, trainLabels, new FashionClassifierOptions(Epochs: 0, Seed: 3));
        using var trained = FashionClassifierFeatures.Train(train, trainLabels, new FashionClassifierOptions(Epochs: 3, BatchSize: 20, Seed: 3),
            (_, loss) => losses.Add(loss));
        double before = untrained.Accuracy(test, testLabels), after = trained.Accuracy(test, testLabels);
        Assert.Equal(3, losses.Count);
        Assert.True(losses[^1] < losses[0] / 2, string.Join(", ", losses));
        Assert.True(before < 0.35, $"untrained accuracy {before} (chance is 0.1)");
        Assert.True(after > 0.9, $"trained accuracy {after}");
    }

    [Fact]
    public void SameSeedGivesTheSameClassifier()
    {
        var (train, labels) = Squares(3, 4);
        var options = new FashionClassifierOptions(Epochs: 1, BatchSize: 8, Seed: 5);
        using var a = FashionClassifierFeatures.Train(train, labels, options);
        using var b = FashionClassifierFeatures.Train(train, labels, options);
        using var fa = a.Features(train);
        using var fb = b.Features(train);
        Assert.True(fa.eq(fb).all().item<bool>());
    }

    [Fact]
    public void FeaturesArePenultimateVectorsAndSurviveSaveLoad()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("classifier.bin");
        var (images, labels) = Squares(2, 6);
        using var model = FashionClassifierFeatures.Train(images, labels, new FashionClassifierOptions(Epochs: 1, BatchSize: 8));
        using var features = model.Features(images);
        Assert.Equal(new long[] { 20, 128 }, features.shape);
        Assert.True(features.min().item<float>() >= 0, "after ReLU");
        Assert.Equal(128, model.Dimension);
        Assert.Contains("not Inception FID", model.Name);

        model.Save(path);
        using var loaded = FashionClassifierFeatures.Load(path);
        using var reloaded = loaded.Features(images);
        Assert.True(features.eq(reloaded).all().item<bool>());
        Assert.Equal(model.Accuracy(images, labels), loaded.Accuracy(images, labels));
    }

    [Fact]
    public void WrongImageSizeAndMissingFileAreReported()
    {
        using var model = new FashionClassifierFeatures();
        using var images = zeros(2, 1, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => model.Features(images));
        Assert.Contains("[2, 1, 32, 32]", e.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => FashionClassifierFeatures.Load("/nonexistent/classifier.bin"));
        Assert.Contains("/nonexistent/classifier.bin", missing.Message);
    }
}
