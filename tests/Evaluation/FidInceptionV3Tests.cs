using SoftDiffusion.Evaluation;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

/// <summary>One randomly initialised FID Inception shared by the tests (its construction allocates 24M parameters).</summary>
public sealed class FidInceptionFixture : IDisposable
{
    public FidInceptionV3 Model { get; } = new();
    public void Dispose() => Model.Dispose();
}

/// <summary>Structure, preprocessing and weight loading of the FID Inception; the real weights are not on this machine.</summary>
public class FidInceptionV3Tests(FidInceptionFixture fixture) : IClassFixture<FidInceptionFixture>
{
    readonly FidInceptionV3 model = fixture.Model;

    [Fact]
    public void StateDictKeysAndShapesEqualPytorchFidsInOrder()
    {
        // data/fid-inception-keys.txt: the 566 entries of pytorch-fid's fid_inception_v3() state dict.
        var expected = File.ReadLines(EvaluationTestData.DataFile("fid-inception-keys.txt"))
            .Where(line => !line.StartsWith('#') && line.Length > 0)
            .ToList();
        var actual = model.state_dict()
            .Select(kv => $"{kv.Key}\t[{string.Join(",", kv.Value.shape)}]")
            .ToList();
        Assert.Equal(566, expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void IsInEvalModeWithBatchNormEps0001()
    {
        Assert.False(model.training);
        var bn = model.named_modules().Single(m => m.name == "Mixed_7c.branch_pool.bn").module;
        Assert.Equal(0.001, ((TorchSharp.Modules.BatchNorm2d)bn).eps);
    }

    [Fact]
    public void FeaturesOfTwoGreyImagesArePool3Vectors()
    {
        using var g = new Generator(1);
        using var images = rand([2, 1, 28, 28], generator: g) * 2 - 1;
        using var features = model.Features(images);
        Assert.Equal(new long[] { 2, 2048 }, features.shape);
        Assert.Equal(ScalarType.Float32, features.dtype);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.True(features.min().item<float>() >= 0, "pool3 averages ReLU outputs");
        Assert.Equal("FID Inception-v3 pool3 (pytorch-fid)", model.Name);
        Assert.Equal(2048, model.Dimension);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-0.3)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void ConstantImageInMinusOneOneReachesTheNetworkUnchanged(double v)
    {
        // Features maps v to (v + 1) / 2; the resize keeps a constant image constant; 2x - 1 gives back v.
        using var image = full([1, 3, 32, 40], (v + 1) / 2);
        using var x = FidInceptionV3.Preprocess(image);
        Assert.Equal(new long[] { 1, 3, 299, 299 }, x.shape);
        Assert.True(x.allclose(full([1, 3, 299, 299], v), rtol: 0, atol: 1e-6), "float32 round-off only");
    }

    [Fact]
    public void GreyImagesAreRepeatedToThreeChannels()
    {
        using var g = new Generator(2);
        using var grey = rand([2, 1, 28, 28], generator: g);
        using var rgb = grey.repeat(1, 3, 1, 1);
        using var fromGrey = FidInceptionV3.Preprocess(grey);
        using var fromRgb = FidInceptionV3.Preprocess(rgb);
        Assert.Equal(new long[] { 2, 3, 299, 299 }, fromGrey.shape);
        Assert.True(fromGrey.eq(fromRgb).all().item<bool>());
    }

    [Fact]
    public void ResizeIsBilinearWithoutCornerAlignment()
    {
        // A 2-pixel ramp [0, 1] upsampled with align_corners = false: output pixel j samples at u = (j + 0.5) * 2 / 299 - 0.5,
        // clamped to [0, 1] between the two input pixel centres, so its value is 2 * clamp(u, 0, 1) - 1 after 2x - 1.
        using var ramp = tensor(new float[] { 0, 1 }).reshape(1, 1, 1, 2);
        using var x = FidInceptionV3.Preprocess(ramp);
        var row = x[0, 0, 0].data<float>().ToArray();
        for (int j = 0; j < 299; j++)
        {
            double u = Math.Clamp((j + 0.5) * 2 / 299 - 0.5, 0, 1);
            Assert.Equal(2 * u - 1, row[j], 1e-5);
        }
    }

    [Fact]
    public void WrongChannelCountIsRejected()
    {
        using var images = zeros(1, 2, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => FidInceptionV3.Preprocess(images));
        Assert.Contains("[1, 2, 8, 8]", e.Message);
    }

    [Fact]
    public void MissingWeightsFileSaysWhichFileAndWhereItIsPublished()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FidInceptionV3.Load("/nonexistent/pt_inception.pth"));
        Assert.Contains("/nonexistent/pt_inception.pth", e.Message);
        Assert.Contains("pt_inception-2015-12-05-6726825d.pth", e.Message);
        Assert.Contains("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth", e.Message);
    }

    [Fact]
    public void PyTorchStateDictWithoutBatchCountersLoadsEveryTensor()
    {
        // A PyTorch-format file (PyBridge's pickler, as torch.save writes it) of this model without the
        // num_batches_tracked entries, which the released file may or may not hold.
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("inception.pth");
        var counters = model.state_dict().Keys.Where(k => k.EndsWith("num_batches_tracked")).ToList();
        Assert.Equal(94, counters.Count);
        model.save_py(path, skip: counters);
        using var loaded = FidInceptionV3.Load(path);
        Assert.False(loaded.training);
        var expected = model.state_dict();
        foreach (var (key, value) in loaded.state_dict())
            Assert.True(value.eq(expected[key]).all().item<bool>() || counters.Contains(key), key);
    }

    [Fact]
    public void MismatchedStateDictNamesEveryMissingAndUnexpectedKey()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("other.pth");
        using (var other = new KeysOnly(("Conv2d_1a_3x3.conv.weight", [32, 3, 3, 3]), ("AuxLogits.fc.weight", [4, 4])))
            other.save_py(path);
        var e = Assert.Throws<InvalidDataException>(() => FidInceptionV3.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("unexpected key(s) [AuxLogits.fc.weight]", e.Message);
        Assert.Contains("Mixed_7c.branch_pool.bn.running_var", e.Message);
        Assert.Contains("fc.bias", e.Message);
        Assert.DoesNotContain("num_batches_tracked", e.Message);
        Assert.DoesNotContain("Conv2d_1a_3x3.conv.weight", e.Message); // present in the file
        Assert.Contains("471 missing key(s)", e.Message); // 566 - 94 counters - 1 present
    }

    [Fact]
    public void TensorOfTheWrongShapeIsReportedWithTheFile()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File("imagenet1000.pth");
        using (var other = new KeysOnly(("fc.bias", [1000]))) // torchvision's 1000-class head instead of the FID network's 1008
            other.save_py(path);
        var e = Assert.Throws<InvalidDataException>(() => FidInceptionV3.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("1 key(s) with fewer elements than the module's shape (or NaN values) [fc.bias [1008]]", e.Message);
    }

    /// <summary>A module holding exactly the given parameter names and shapes.</summary>
    sealed class KeysOnly : nn.Module
    {
        public KeysOnly(params (string Name, long[] Shape)[] keys) : base(nameof(KeysOnly))
        {
            foreach (var (name, shape) in keys) register_parameter(name, nn.Parameter(zeros(shape)));
        }
    }

    [Fact]
    public void UnreadableWeightsFileExplainsTheLegacyFormat()
    {
        using var folder = new EvaluationTestData.TempFolder();
        string path = folder.File(FidInceptionV3.WeightsFileName);
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]); // how a legacy torch.save file begins
        var e = Assert.Throws<InvalidDataException>(() => FidInceptionV3.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("PyTorch older than 1.6", e.Message);
    }
}
