using System.IO.Compression;
using System.Text;
using SkiaSharp;
using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class SampleExportTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    // Three 1 x 2 x 3 images: -1 (black), 1 (white) and values across the range, one outside it.
    static Tensor Images() => tensor(new float[]
    {
        -1, -1, -1, -1, -1, -1,
        1, 1, 1, 1, 1, 1,
        -0.5f, 0, 0.5f, 2, -3, 0.25f,
    }, [3, 1, 2, 3]);

    [Fact]
    public void PixelsAreRoundedFromMinusOneOneToByteAndClamped()
    {
        using var images = Images();
        var bytes = SampleExport.ToBytes(images);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255 }, bytes[..12]);
        Assert.Equal(new byte[] { 64, 128, 191, 255, 0, 159 }, bytes[12..]);   // round(127.5 (x + 1)), half to even at 63.75 -> 64
    }

    [Fact]
    public void PngsDecodeToTheSamePixels()
    {
        using var images = Images();
        var paths = SampleExport.WritePngs(root, images);
        Assert.Equal(3, paths.Count);
        Assert.EndsWith("000002.png", paths[2]);
        using var decoded = SKBitmap.Decode(paths[2]);
        Assert.Equal((3, 2), (decoded.Width, decoded.Height));
        var gray = Enumerable.Range(0, 6).Select(i => decoded.GetPixel(i % 3, i / 3).Red).ToArray();
        Assert.Equal(SampleExport.ToBytes(images)[12..], gray);
    }

    [Fact]
    public void TheNpzHoldsAUint8ArrayOfShapeNHW()
    {
        using var images = Images();
        string path = Path.Combine(root, "s.npz");
        using (var earlier = zeros(5, 1, 2, 3)) SampleExport.WriteNpz(path, earlier);
        SampleExport.WriteNpz(path, images);   // an export again into the same folder replaces the file
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry("samples.npy")!.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] npy = memory.ToArray();
        Assert.Equal("\u0093NUMPY", Encoding.Latin1.GetString(npy, 0, 6));
        int headerLength = npy[8] | npy[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);                      // data aligned as numpy requires
        string header = Encoding.ASCII.GetString(npy, 10, headerLength);
        Assert.Contains("'descr': '|u1'", header);
        Assert.Contains("'shape': (3, 2, 3,)", header);
        Assert.Equal(SampleExport.ToBytes(images), npy[(10 + headerLength)..]);
    }

    [Fact]
    public void OtherChannelCountsAreRefused()
    {
        using var images = zeros(2, 2, 4, 4);
        Assert.Contains("[N, 1 or 3, H, W]", Assert.Throws<ArgumentException>(() => SampleExport.ToBytes(images)).Message);
    }
}
