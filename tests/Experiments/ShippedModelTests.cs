using SoftDiffusion.Corruptions;
using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Sampling;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class ShippedModelTests : IDisposable
{
    static readonly Profile Tiny = Profile.Smoke with { TrainingSteps = 3, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64 };
    readonly string root = Path.Combine(Path.GetTempPath(), $"shipped-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    // A tiny blur run trained 3 steps, written as a model file.
    (ProfileTraining Training, string Path) TrainAndSave()
    {
        var training = ProfileTraining.Open(Tiny, Path.Combine(root, "run"), TrainingSet.FashionMnist(FashionMnist.Load(FashionMnistSplit.Test), 64));
        training.Train(3);
        string path = Path.Combine(root, "tiny.sdm");
        using var model = training.Model;
        ShippedModel.Save(path, model, training.Data.ImageShape);
        return (training, path);
    }

    [Fact]
    public void AModelRoundTripsWithItsCorruptionStartAndFloat16Weights()
    {
        var (training, path) = TrainAndSave();
        using (training)
        using (var original = training.Model)
        using (var loaded = ShippedModel.Load(path, Path.Combine(root, "scores")))
        {
            Assert.Equal(original.Recipe, loaded.Recipe);
            Assert.Equal(original.Network.Config, loaded.Network.Config);
            Assert.Equal(3, loaded.Step);
            Assert.Equal(((BlurCorruption)original.Corruption).Schedule.Levels, ((BlurCorruption)loaded.Corruption).Schedule.Levels);
            var (a, b) = ((DctFullGaussianStart)original.Start, (DctFullGaussianStart)loaded.Start);
            Assert.True(a.Mean.eq(b.Mean).all().item<bool>() && a.CholeskyFactor.eq(b.CholeskyFactor).all().item<bool>() && a.Indices.eq(b.Indices).all().item<bool>());   // exact: float64 in the file
            foreach (var ((name, w), (_, v)) in original.Network.state_dict().Zip(loaded.Network.state_dict()))
                Assert.True(w.allclose(v, rtol: 1e-3, atol: 1e-4), $"{name} differs beyond float16 rounding");   // half: 11-bit mantissa

            // A few-step sample of the loaded model is finite, in a sane range and close to the original's.
            using var x = loaded.Generate(new MomentumSampler(), 4, 5, seed: 2);
            using var y = original.Generate(new MomentumSampler(), 4, 5, seed: 2);
            Assert.True(x.X.isfinite().all().item<bool>());
            Assert.InRange(x.X.abs().max().item<float>(), 0, 5);
            Assert.True((x.X - y.X).abs().max().item<float>() < 1e-2);
        }
    }

    [Fact]
    public void ALoadedModelStartsFromTrainingImagesOnlyWhenGivenThem()
    {
        var (training, path) = TrainAndSave();
        using (training)
        using (var original = training.Model)
        using (var without = ShippedModel.Load(path, Path.Combine(root, "scores")))
        using (var with = ShippedModel.Load(path, Path.Combine(root, "scores"), trainingImages: () => training.Data.StatisticsImages(Tiny.ImagesForStatistics)))
        {
            var e = Assert.Throws<InvalidOperationException>(() => without.Generate(new NaiveSampler(), 2, 3, seed: 1, start: StartKind.TrainingImages));
            Assert.Contains("StartKind.TrainingImages needs training images to draw x_1 from or to fit p_1 to", e.Message);

            // The same x_1 (training image and noise of generator k) as the run's own model: samples agree up to float16 weights.
            using var x = with.Generate(new NaiveSampler(), 4, 3, seed: 1, start: StartKind.TrainingImages);
            using var y = original.Generate(new NaiveSampler(), 4, 3, seed: 1, start: StartKind.TrainingImages);
            using var fitted = with.Generate(new NaiveSampler(), 4, 3, seed: 1);
            Assert.True((x.X - y.X).abs().max().item<float>() < 1e-2);
            Assert.True((x.X - fitted.X).abs().max().item<float>() > 0.1);   // another p_1, other samples
            // The Gaussian-mixture p_1 is fitted to the same images, and says when they are too few for its components.
            var few = Assert.Throws<ArgumentException>(() => with.Generate(new NaiveSampler(), 2, 3, seed: 1, start: StartKind.GaussianMixture));
            Assert.Contains($"Expected at least {2 * DctGaussianMixtureStart.DefaultComponents} images to fit {DctGaussianMixtureStart.DefaultComponents} components", few.Message);
        }
    }

    [Fact]
    public void ATruncatedOrBitFlippedFileIsRefusedByItsChecksum()
    {
        var (training, path) = TrainAndSave();
        training.Dispose();
        byte[] bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var truncated = Assert.Throws<InvalidDataException>(() => ShippedModel.Load(path, root));
        Assert.Contains("checksum", truncated.Message);

        var flipped = (byte[])bytes.Clone();
        flipped[flipped.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("damaged or truncated", Assert.Throws<InvalidDataException>(() => ShippedModel.Load(path, root)).Message);

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => ShippedModel.Load(path, root)).Message);
    }

    [Fact]
    public void AMissingFileSaysWhereModelsLive()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ShippedModel.Load(Path.Combine(root, "none.sdm"), root));
        Assert.Contains("data/models/", e.Message);
    }
}
