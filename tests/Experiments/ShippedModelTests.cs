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
            var (a, b) = ((DctGaussianMixtureStart)original.Start, (DctGaussianMixtureStart)loaded.Start);
            Assert.Equal(DctGaussianMixtureStart.ComponentsFor(Tiny.ImagesForStatistics), b.Components);
            AssertSameMixture(a, b);
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

    // Exact: float64 in the file.
    static void AssertSameMixture(DctGaussianMixtureStart a, DctGaussianMixtureStart b) =>
        Assert.True(a.Weights.eq(b.Weights).all().item<bool>() && a.Means.eq(b.Means).all().item<bool>() &&
            a.CholeskyFactors.eq(b.CholeskyFactors).all().item<bool>() && a.Indices.eq(b.Indices).all().item<bool>());

    [Fact]
    public void AFileHoldsTheStartItIsGivenAndDrawsTheSameStartsAsIt()
    {
        var (training, path) = TrainAndSave();
        using (training)
        using (var model = ShippedModel.Load(path, Path.Combine(root, "scores"), trainingImages: () => training.Data.StatisticsImages(Tiny.ImagesForStatistics)))
        {
            var blur = (BlurCorruption)model.Corruption;
            using var images = training.Data.StatisticsImages(Tiny.ImagesForStatistics);
            using var mixture = DctGaussianMixtureStart.Fit(images, blur, model.Noise, components: 3);
            string withMixture = Path.Combine(root, "mixture.sdm"), withGaussian = Path.Combine(root, "gaussian.sdm");
            ShippedModel.Save(withMixture, model, training.Data.ImageShape, mixture);
            ShippedModel.Save(withGaussian, model, training.Data.ImageShape, model.StartDistribution(StartKind.Gaussian));
            using var m = ShippedModel.Load(withMixture, Path.Combine(root, "scores-m"));
            using var g = ShippedModel.Load(withGaussian, Path.Combine(root, "scores-g"));
            AssertSameMixture(mixture, (DctGaussianMixtureStart)m.Start);
            var (fitted, read) = ((DctFullGaussianStart)model.StartDistribution(StartKind.Gaussian), (DctFullGaussianStart)g.Start);
            Assert.True(fitted.Mean.eq(read.Mean).all().item<bool>() && fitted.CholeskyFactor.eq(read.CholeskyFactor).all().item<bool>());

            // The file's own p_1 draws exactly the x_1 of the p_1 it was written with (what re-scoring a file relies on).
            using var noise = new PerSampleNoise(7, 5);
            using var again = new PerSampleNoise(7, 5);
            using var drawn = mixture.Sample(noise);
            using var fromFile = m.Start.Sample(again);
            Assert.True(drawn.eq(fromFile).all().item<bool>());
        }
    }

    [Fact]
    public void ScoresOfAnotherFileOfTheSameNameAreSetAsideNotRead()
    {
        var (training, path) = TrainAndSave();
        string scores = Path.Combine(root, "scores");
        using (training)
        using (var model = ShippedModel.Load(path, scores, trainingImages: () => training.Data.StatisticsImages(Tiny.ImagesForStatistics)))
        {
            string cached = Path.Combine(scores, "naive-nfe50-n2000-seed0-step3.json");
            File.WriteAllText(cached, "{}");
            using (ShippedModel.Load(path, scores)) Assert.True(File.Exists(cached));   // the same file: its scores stay

            ShippedModel.Save(path, model, training.Data.ImageShape, model.StartDistribution(StartKind.Gaussian));   // another p_1, same name
            using (ShippedModel.Load(path, scores))
            {
                Assert.False(File.Exists(cached));
                var aside = Assert.Single(Directory.GetDirectories(root, "scores-of-*"));
                Assert.True(File.Exists(Path.Combine(aside, Path.GetFileName(cached))));   // kept, not lost
                string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)[..^32]));
                Assert.Equal(sha, File.ReadAllText(Path.Combine(scores, ShippedModel.ModelChecksumFile)).Trim());
            }
        }
    }

    [Fact]
    public void ACacheReadWithoutLoadingTheModelIsClaimedTheSameWay()
    {
        var (training, path) = TrainAndSave();
        training.Dispose();
        string scores = Path.Combine(root, "scores");
        using (ShippedModel.Load(path, scores)) { }
        string marker = File.ReadAllText(Path.Combine(scores, ShippedModel.ModelChecksumFile));
        File.WriteAllText(Path.Combine(scores, "naive-nfe50-n2000-seed0-step3.json"), "{}");
        ShippedModel.ClaimScoresFolder(path, scores);   // the same file: nothing moves
        Assert.True(File.Exists(Path.Combine(scores, "naive-nfe50-n2000-seed0-step3.json")));
        Assert.Equal(marker, File.ReadAllText(Path.Combine(scores, ShippedModel.ModelChecksumFile)));

        File.WriteAllText(Path.Combine(scores, ShippedModel.ModelChecksumFile), new string('0', 64));   // measured on another file
        ShippedModel.ClaimScoresFolder(path, scores);
        Assert.False(File.Exists(Path.Combine(scores, "naive-nfe50-n2000-seed0-step3.json")));
        Assert.True(File.Exists(Path.Combine(root, "scores-of-000000000000", "naive-nfe50-n2000-seed0-step3.json")));
        Assert.Equal(marker, File.ReadAllText(Path.Combine(scores, ShippedModel.ModelChecksumFile)));
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
