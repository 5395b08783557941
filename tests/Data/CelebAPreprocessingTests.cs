using SkiaSharp;
using SoftDiffusion.Data;

namespace SoftDiffusion.Tests.Data;

public class CelebAPreprocessingTests
{
    [Fact]
    public void CropIsTheIntegerCentre()
    {
        // (178 - 140) / 2 = 19, (218 - 140) / 2 = 39; odd margins round down: (151 - 140) / 2 = 5.
        Assert.Equal(SKRectI.Create(19, 39, 140, 140), CelebAPreprocessing.CropRect(178, 218));
        Assert.Equal(SKRectI.Create(5, 10, 140, 140), CelebAPreprocessing.CropRect(151, 160));
        var e = Assert.Throws<ArgumentException>(() => CelebAPreprocessing.CropRect(139, 218));
        Assert.Contains("139 x 218", e.Message);
    }

    [Fact]
    public void ResizeAntialiasesOnePixelStripes()
    {
        // Alternating black and white columns average to 127.5 over any footprint of an even number of pixels (the
        // 2 x 2 mipmap level); a point-sampled or plain bilinear 2.19x downscale gives values over 8..247 (aliasing).
        using var stripes = new SKBitmap(new SKImageInfo(178, 218, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < 218; y++)
        for (int x = 0; x < 178; x++)
            stripes.SetPixel(x, y, x % 2 == 0 ? SKColors.Black : SKColors.White);
        var rgb = new byte[CelebAPreprocessing.ImageBytes];
        CelebAPreprocessing.Preprocess(stripes, rgb);
        // 8-bit rounding of 127.5 (Skia gives 127); aliasing would be off by up to ~120.
        Assert.All(rgb, v => Assert.InRange(v, 126, 129));
    }

    [Fact]
    public void TooSmallImageIsRefusedWithItsSize()
    {
        using var folder = new CelebATestFolder();
        string path = Path.Combine(folder.ImageFolder, "small.jpg");
        File.WriteAllBytes(path, CelebATestFolder.Jpeg(new SKBitmap(100, 120)));
        string? reason = CelebAPreprocessing.TryPreprocess(path, new byte[CelebAPreprocessing.ImageBytes]);
        Assert.NotNull(reason);
        Assert.Contains("100 x 120 is smaller than the 140 x 140 centre crop", reason);
    }

    [Fact]
    public void RandomBytesAreNotAnImage()
    {
        using var folder = new CelebATestFolder();
        string path = Path.Combine(folder.ImageFolder, "corrupt.jpg");
        File.WriteAllBytes(path, RandomBytes(5000, seed: 1));
        Assert.Contains("not a decodable image", CelebAPreprocessing.TryPreprocess(path, new byte[CelebAPreprocessing.ImageBytes]));
    }

    [Fact]
    public void TruncatedJpegIsADecodingFailure()
    {
        using var folder = new CelebATestFolder();
        string path = Path.Combine(folder.ImageFolder, "truncated.jpg");
        byte[] jpeg = CelebATestFolder.Jpeg(CelebATestFolder.Pattern(178, 218, 50));
        File.WriteAllBytes(path, jpeg[..(jpeg.Length / 2)]);
        Assert.Contains("decoding failed (SkiaSharp: IncompleteInput)", CelebAPreprocessing.TryPreprocess(path, new byte[CelebAPreprocessing.ImageBytes]));
    }

    internal static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
