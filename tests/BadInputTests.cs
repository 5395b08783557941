using System.IO.Compression;
using SoftDiffusion.Corruptions;
using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using SoftDiffusion.Tests.Training;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests;

/// <summary>
/// The catalogue of bad inputs (environment.md, "Bad inputs and their errors"): each test gives one bad input and
/// checks the error's type and that its message says what was expected and what came. Files are made in a fresh
/// temporary folder; nothing here needs the network, a GPU or a dataset download.
/// </summary>
[Collection(nameof(DefaultGeneratorCollection))]   // trains tiny networks; keeps torch's default generator to itself
public sealed class BadInputTests : IDisposable
{
    readonly string folder = TrainingFixtures.TemporaryDirectory();

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    // ---- datasets ----

    [Fact]
    public void FashionMnistFolderWithoutTheFiles()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(FashionMnistSplit.Train, folder));
        Assert.Contains($"Fashion-MNIST train split not found in {folder}", e.Message);
        Assert.Contains("Expected train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)", e.Message);
        Assert.Contains(FashionMnist.EnvironmentVariable, e.Message);
    }

    [Fact]
    public void FashionMnistImagesFileCutShort()
    {
        WriteIdx("train-images-idx3-ubyte", [3, 28, 28], dataBytes: 3 * 28 * 28 - 100);
        WriteIdx("train-labels-idx1-ubyte", [3], dataBytes: 3);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, folder));
        Assert.Contains("header declares [3 x 28 x 28] = 2352 bytes of data but the file holds 2252 (truncated)", e.Message);
    }

    [Fact]
    public void FashionMnistFileThatIsNotIdx()
    {
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);   // a PNG header
        WriteIdx("train-labels-idx1-ubyte", [3], dataBytes: 3);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, folder));
        Assert.Contains("expected an IDX file starting with 00 00 <type> <rank>, got 89 50 4E 47", e.Message);
    }

    [Fact]
    public void FashionMnistGzipThatIsCorrupt()
    {
        WriteIdx("train-images-idx3-ubyte", [3, 28, 28], dataBytes: 3 * 28 * 28);
        string plain = Path.Combine(folder, "train-images-idx3-ubyte");
        using (var gzip = new GZipStream(File.Create(plain + ".gz"), CompressionLevel.Optimal))
            gzip.Write(File.ReadAllBytes(plain).Select((b, i) => (byte)(b + i % 7)).ToArray());
        File.Delete(plain);
        var bytes = File.ReadAllBytes(plain + ".gz");
        bytes[bytes.Length / 2] ^= 0xFF;                                  // damage inside the compressed data
        File.WriteAllBytes(plain + ".gz", bytes);
        WriteIdx("train-labels-idx1-ubyte", [3], dataBytes: 3);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, folder));
        Assert.Contains("train-images-idx3-ubyte.gz: not a valid gzip file", e.Message);
    }

    [Fact]
    public void FashionMnistWithMoreLabelsThanImages()
    {
        WriteIdx("train-images-idx3-ubyte", [2, 28, 28], dataBytes: 2 * 28 * 28);
        WriteIdx("train-labels-idx1-ubyte", [3], dataBytes: 3);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, folder));
        Assert.Contains("holds 2 images but", e.Message);
        Assert.Contains("holds 3 labels", e.Message);
    }

    [Fact]
    public void CelebAFolderWithoutItsPartitionFile()
    {
        Directory.CreateDirectory(Path.Combine(folder, CelebAFolder.ImageFolderName));
        var e = Assert.Throws<FileNotFoundException>(() => CelebAFolder.Open(folder));
        Assert.Contains($"CelebA partition file {Path.Combine(folder, CelebAFolder.PartitionFileName)} is missing", e.Message);
        Assert.Contains(CelebAFolder.ProjectPage, e.Message);
    }

    [Fact]
    public void CelebAFolderWithoutItsImages()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => CelebAFolder.Open(folder));
        Assert.Contains($"CelebA image folder {Path.Combine(folder, CelebAFolder.ImageFolderName)} is missing", e.Message);
        Assert.Contains("Expected layout", e.Message);
    }

    [Fact]
    public void CelebAPartitionFileWithABadLine()
    {
        Directory.CreateDirectory(Path.Combine(folder, CelebAFolder.ImageFolderName));
        File.WriteAllText(Path.Combine(folder, CelebAFolder.PartitionFileName), "000001.jpg 0\n000002.jpg train\n");
        var e = Assert.Throws<InvalidDataException>(() => CelebAFolder.Open(folder).FileNames(CelebASplit.Train));
        Assert.Contains("line 2: expected \"<file>.jpg <0|1|2>\", got \"000002.jpg train\"", e.Message);
    }

    // ---- checkpoints and run folders ----

    [Fact]
    public void CheckpointCutShort()
    {
        string path = SavedCheckpoint();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadRecord(path));
        Assert.Contains($"Checkpoint '{path}' is damaged (truncated or corrupted after it was written; 5,000 bytes now)", e.Message);
    }

    [Fact]
    public void CheckpointWithAFlippedBit()
    {
        string path = SavedCheckpoint();
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x80;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadRecord(path));
        Assert.Contains("does not match the checksum stored in its last 32", e.Message);
    }

    [Fact]
    public void CheckpointOfAnotherConfiguration()
    {
        string path = SavedCheckpoint();
        using var wider = new UNet(TrainingFixtures.Config with { BaseChannels = 12 });
        using var trainer = TrainingFixtures.Create(wider, TrainingFixtures.Images(8), TrainingFixtures.Options);
        var e = Assert.Throws<ArgumentException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains($"Checkpoint '{path}' was written for another configuration: checkpoint base channels 8, this model 12", e.Message);
    }

    [Fact]
    public void CheckpointThatIsAnotherFileOrMissing()
    {
        string path = Path.Combine(folder, "latest.ckpt");
        var missing = Assert.Throws<FileNotFoundException>(() => Checkpoint.ReadRecord(path));
        Assert.Contains($"Expected a checkpoint file at '{path}', found none", missing.Message);
        File.WriteAllText(path, "step,loss\n1,0.5\n");
        var other = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadRecord(path));
        Assert.Contains($"'{path}' is not a checkpoint", other.Message);
    }

    [Fact]
    public void RunFolderThatCannotBeWritten()
    {
        string blocker = Path.Combine(folder, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var e = Assert.Throws<IOException>(() => new RunDirectory(Path.Combine(blocker, "run")));
        Assert.Contains($"Expected a writable run folder at '{Path.Combine(blocker, "run")}'", e.Message);
        Assert.Contains("Choose another folder", e.Message);
    }

    [Fact]
    public void DiskFullWhileWritingACheckpoint()
    {
        string path = SavedCheckpoint();
        var before = File.ReadAllBytes(path);
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s => trainer.WriteCheckpoint(new DiskFullStream(s, capacity: 4096))));
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));                 // the previous checkpoint is intact
        Assert.False(File.Exists(path + ".tmp"));
    }

    // ---- training ----

    [Fact]
    public void NaNInTheTrainingImages()
    {
        var images = TrainingFixtures.Images(8).Images([0, 1, 2, 3, 4, 5, 6, 7]);
        images[3, 0, 4, 4] = float.NaN;
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, new TensorImageDataset(images), TrainingFixtures.Options with { BatchSize = 8 });
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Train(3));
        Assert.Contains("the loss of step 1 is NaN (not finite)", e.Message);
        Assert.Equal(0, trainer.Step);
    }

    [Fact]
    public void InfiniteLoss()
    {
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, loss: new InfiniteFromCall(2));
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Train(3));
        Assert.Contains("the loss of step 2 is Infinity (not finite)", e.Message);
        Assert.Equal(1, trainer.Step);
    }

    [Fact]
    public void ImagesWithTheWrongChannelsForTheNetwork()
    {
        using var network = new UNet(TrainingFixtures.Config);   // 1 channel
        var rgb = new TensorImageDataset(zeros(4, 3, 8, 8));
        var e = Assert.Throws<ArgumentException>(() => new Trainer(network, new ResidualDenoiser(network), new MseStandInLoss(), rgb, TrainingFixtures.Options));
        Assert.Contains("Expected images [1, H, W] for this network, got [3, 8, 8]", e.Message);
    }

    [Fact]
    public void TrainingOptionOutOfRange()
    {
        var e = Assert.Throws<ArgumentException>(() => (TrainingFixtures.Options with { CheckpointMinutes = -1 }).Validate());
        Assert.Contains("Expected CheckpointMinutes >= 0 (0: by steps only), got -1", e.Message);
    }

    // ---- tensors into corruptions, losses, samplers and scorers ----

    [Fact]
    public void CorruptionGivenImagesOfTheWrongRank()
    {
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(8));
        var e = Assert.Throws<ArgumentException>(() => blur.Apply(zeros(1, 8, 8), zeros(1)));
        Assert.Contains("Expected x of rank 4 [B, C, H, W], received rank 3 with shape [1, 8, 8]", e.Message);
    }

    [Fact]
    public void CorruptionGivenOneTimeTooMany()
    {
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(8));
        var e = Assert.Throws<ArgumentException>(() => blur.Apply(zeros(2, 1, 8, 8), full(3, 0.5)));
        Assert.Contains("Expected t of shape [2] (one time per image of x [2, 1, 8, 8]), received [3]", e.Message);
    }

    [Fact]
    public void CorruptionGivenTimesOutsideZeroToOne()
    {
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(8));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => blur.Apply(zeros(2, 1, 8, 8), tensor(new[] { 0.5f, 1.5f })));
        Assert.Contains("Expected t in [0, 1], received values in [0.5, 1.5]", e.Message);
    }

    [Fact]
    public void CorruptionGivenIntegerImages()
    {
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(8));
        var e = Assert.Throws<ArgumentException>(() => blur.Apply(zeros(2, 1, 8, 8, dtype: ScalarType.Byte), full(2, 0.5)));
        Assert.Contains("Expected x of a floating-point dtype (float32 or float64), received Byte", e.Message);
    }

    [Fact]
    public void BandSpectrumGivenImagesOfTheWrongRank()
    {
        var e = Assert.Throws<ArgumentException>(() => DctBandSpectrum.Of(zeros(5, 28, 28)));
        Assert.Contains("Expected images of rank 4 [N, C, H, W], received rank 3 with shape [5, 28, 28]", e.Message);
    }

    [Fact]
    public void WienerReferenceGivenAMaskingCorruption()
    {
        using var moments = new DctMoments(zeros(1, 8, 8), ones(1, 8, 8), 10);
        var e = Assert.Throws<ArgumentException>(() => new DctWienerDenoiser(moments, new MaskCorruption(8, 8), new GeometricNoiseSchedule()));
        Assert.Contains("Expected a corruption diagonal in the DCT basis (BlurCorruption or IdentityCorruption), received MaskCorruption", e.Message);
    }

    [Fact]
    public void MaskGivenImagesOfAnotherSize()
    {
        var mask = new MaskCorruption(8, 8);
        var e = Assert.Throws<ArgumentException>(() => mask.Apply(zeros(1, 1, 16, 16), full(1, 0.5)));
        Assert.Contains("Expected x with H x W = 8 x 8, received shape [1, 1, 16, 16]", e.Message);
    }

    [Fact]
    public void LossGivenNoiseOfAnotherShape()
    {
        var loss = new SoftScoreMatchingLoss(new CorruptionProcess(new BlurCorruption(BlurSchedule.LogSpaced(8)), new GeometricNoiseSchedule()));
        using var network = new UNet(UNetConfig.Tiny(1));
        var e = Assert.Throws<ArgumentException>(() => loss.PerSample(new ResidualDenoiser(network), zeros(2, 1, 8, 8), full(2, 0.5), zeros(2, 1, 4, 4)));
        Assert.Contains("Expected eta of the shape of x0 [2, 1, 8, 8], received [2, 1, 4, 4]", e.Message);
    }

    [Fact]
    public void SamplerGivenAStartOfTheWrongRank()
    {
        using var noise = new PerSampleNoise(0, 2);
        var e = Assert.Throws<ArgumentException>(() => new MomentumSampler().Sample(Identity, new IdentityCorruption(), new GeometricNoiseSchedule(), zeros(2, 8, 8), 4, noise));
        Assert.Contains("Expected x_1 of shape [B, C, H, W]; got [2, 8, 8]", e.Message);
    }

    [Fact]
    public void SamplerGivenIntegerImages()
    {
        using var noise = new PerSampleNoise(0, 2);
        var e = Assert.Throws<ArgumentException>(() =>
            new NaiveSampler().Sample(Identity, new IdentityCorruption(), new GeometricNoiseSchedule(), zeros(2, 1, 8, 8, dtype: ScalarType.Int64), 4, noise));
        Assert.Contains("Expected x_1 of a floating-point dtype (float32 or float64), received Int64", e.Message);
    }

    [Fact]
    public void SamplerGivenTooFewNoiseGenerators()
    {
        using var noise = new PerSampleNoise(0, 3);
        var e = Assert.Throws<ArgumentException>(() => new NaiveSampler().Sample(Identity, new IdentityCorruption(), new GeometricNoiseSchedule(), zeros(2, 1, 8, 8), 4, noise));
        Assert.Contains("Expected one noise generator per sample (2); got 3", e.Message);
    }

    [Fact]
    public void ScorerGivenImagesOfAnotherShape()
    {
        using var classifier = new FashionClassifierFeatures();
        var e = Assert.Throws<ArgumentException>(() => classifier.Features(zeros(4, 3, 32, 32)));
        Assert.Contains("Expected images [N, 1, 28, 28], got shape [4, 3, 32, 32]", e.Message);
    }

    [Fact]
    public void ScorerGivenImagesOfAnotherDtype()
    {
        using var classifier = new FashionClassifierFeatures();
        var e = Assert.Throws<ArgumentException>(() => classifier.Features(zeros(4, 1, 28, 28, dtype: ScalarType.Byte)));
        Assert.Contains("Expected images of float32 in [-1, 1], got Byte", e.Message);
    }

    // ---- names ----

    [Fact]
    public void UnknownProfileName()
    {
        var e = Assert.Throws<ArgumentException>(() => Profile.Parse("gpu"));
        Assert.Contains("Unknown profile 'gpu': expected smoke, cpu or paper", e.Message);
    }

    [Fact]
    public void UnknownStudyArm()
    {
        var e = Assert.Throws<ArgumentException>(() => RecipeStudy.Find("fastest"));
        Assert.Contains("Unknown study arm 'fastest': expected one of", e.Message);
    }

    [Theory]
    [InlineData("--recipe sharpen", "Unknown recipe 'sharpen': expected one of blur, ")]
    [InlineData("--profile gpu", "Unknown profile 'gpu': expected smoke, cpu or paper")]
    [InlineData("--steps many", "A numeric argument is not a number")]
    [InlineData("--steps", "--steps needs a value. Usage:")]
    [InlineData("--colour red", "Unknown argument '--colour'. Usage:")]
    public void TrainToolGivenABadArgument(string arguments, string expected)
    {
        using var tool = TrainToolProcess.Start(arguments);
        Assert.Equal(64, tool.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Contains(expected, tool.Output);
        Assert.DoesNotContain("Unhandled exception", tool.Output);   // a message, not a stack trace
    }

    static readonly IDenoiser Identity = new FunctionDenoiser((x, t) => x.clone());

    // An IDX file of unsigned bytes with the given dimensions and dataBytes bytes of data (fewer than declared: cut short).
    void WriteIdx(string name, int[] dimensions, int dataBytes)
    {
        using var writer = new BinaryWriter(File.Create(Path.Combine(folder, name)));
        writer.Write(new byte[] { 0, 0, 8, (byte)dimensions.Length });
        foreach (int d in dimensions) writer.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(d));
        writer.Write(new byte[dataBytes]);
    }

    string SavedCheckpoint()
    {
        string path = Path.Combine(folder, $"checkpoint-{Guid.NewGuid():N}.ckpt");
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options);
        trainer.Train(1);
        trainer.SaveCheckpoint(path);
        return path;
    }

    sealed class InfiniteFromCall(int call) : ITrainingLoss
    {
        readonly MseStandInLoss inner = new();
        int calls;

        public Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
        {
            var perSample = inner.PerSample(denoiser, x0, t, eta);
            return ++calls >= call ? perSample + double.PositiveInfinity : perSample;
        }
    }
}
