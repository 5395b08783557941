using System.Security.Cryptography;
using SoftDiffusion.Data;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests.Data;

public class FashionMnistTests
{
    static readonly string Embedded = Path.Combine(ProjectPaths.Data, "fashion-mnist");

    [Fact]
    public void EmbeddedFilesMatchTheChecksumsInDataReadme()
    {
        string readme = File.ReadAllText(Path.Combine(ProjectPaths.Data, "README.md"));
        foreach (var file in Directory.GetFiles(Embedded, "*.gz"))
        {
            string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            Assert.Contains($"{sha}  {Path.GetFileName(file)}", readme);
        }
    }

    [Fact]
    public void EmbeddedTestSplitHasTenThousandBalancedImages()
    {
        var test = FashionMnist.Load(FashionMnistSplit.Test, Embedded);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(10_000 * 28 * 28, test.Pixels.Length);
        // The test split holds exactly 1,000 images of each class.
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
    }

    [Fact]
    public void ImagesAreScaledToMinusOneOneAndPadWithBackground()
    {
        var test = FashionMnist.Load(FashionMnistSplit.Test, Embedded);
        using var x = test.Images(3, 2);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, x.shape);
        byte raw = test.Pixels[3 * 784 + 14 * 28 + 14];
        Assert.Equal(raw / 127.5 - 1, x[0, 0, 14, 14].item<float>(), 5);
        using var padded = test.Images(3, 2, pad: 2);
        Assert.Equal(new long[] { 2, 1, 32, 32 }, padded.shape);
        Assert.Equal(-1f, padded[1, 0, 0, 0].item<float>());
        Assert.True(padded.narrow(2, 2, 28).narrow(3, 2, 28).equal(x).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Images(9_999, 2));
    }

    [Fact]
    public void MissingFolderSaysWhereTheDataComesFrom()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(FashionMnistSplit.Train, "/nonexistent/fashion"));
        Assert.Contains("/nonexistent/fashion", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("zalandoresearch/fashion-mnist", e.Message);
    }
}
