using SkiaSharp;
using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public class PngFormatTests
{
    /// <summary>Decodes with SkiaSharp's own PNG decoder: width, height, channels (1 gray, 3 colour) and the pixels row by
    /// row (RGB for colour, alpha dropped after checking it is opaque).</summary>
    static (int Width, int Height, int Channels, byte[] Pixels) Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        using var codec = SKCodec.Create(new MemoryStream(png));
        Assert.NotNull(codec);
        bool gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bitmap.GetPixels()));
        int w = info.Width, h = info.Height, c = gray ? 1 : 3;
        var span = bitmap.GetPixelSpan();
        var pixels = new byte[w * h * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (gray) pixels[y * w + x] = span[y * bitmap.RowBytes + x];
                else
                {
                    for (int k = 0; k < 3; k++) pixels[(y * w + x) * 3 + k] = span[y * bitmap.RowBytes + 4 * x + k];
                    Assert.Equal(255, span[y * bitmap.RowBytes + 4 * x + 3]);
                }
        return (w, h, c, pixels);
    }

    [Fact]
    public void EncodesGrayAndRgbLosslesslyAtAnyRowWidth()
    {
        var gray = Enumerable.Range(0, 5 * 3).Select(i => (byte)(i * 17)).ToArray();
        var g = Decode(PngFormat.Encode(gray, 5, 3, 1));
        Assert.Equal((5, 3, 1), (g.Width, g.Height, g.Channels));
        Assert.Equal(gray, g.Pixels);

        var rgb = Enumerable.Range(0, 4 * 2 * 3).Select(i => (byte)(255 - i)).ToArray();
        var c = Decode(PngFormat.Encode(rgb, 4, 2, 3));
        Assert.Equal((4, 2, 3), (c.Width, c.Height, c.Channels));
        Assert.Equal(rgb, c.Pixels);
        Assert.Throws<ArgumentException>(() => PngFormat.Encode(rgb, 4, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngFormat.Encode(rgb, 4, 2, 2));

        // A width whose rows are not a multiple of 4 bytes (the bitmap's rows may be padded).
        var odd = Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(odd, Decode(PngFormat.Encode(odd, 7, 5, 1)).Pixels);
    }

    [Fact]
    public void GridPlacesEachImageAtItsCellWithWhitePadding()
    {
        // Two 2x2 gray images: image 0 all -1 (black), image 1 all +1 (white) but with one -1 pixel at (1, 0).
        var images = full(new long[] { 2, 1, 2, 2 }, -1f);
        images[1] = ones(1, 2, 2);
        images[1, 0, 1, 0] = tensor(-1f);
        var grid = ImageGrid.From(images, columns: 2, scale: 1, padding: 1);
        var d = Decode(grid.Png);
        Assert.Equal((7, 4), (d.Width, d.Height));   // 2 * 2 + 3 padding wide, 2 + 2 padding high
        byte At(int x, int y) => d.Pixels[y * d.Width + x];
        Assert.Equal(255, At(0, 0));                  // padding
        Assert.Equal(0, At(1, 1));                    // image 0
        Assert.Equal(255, At(4, 1));                  // image 1 top-left
        Assert.Equal(0, At(4, 2));                    // image 1 pixel (row 1, col 0)
        Assert.Throws<ArgumentException>(() => ImageGrid.From(zeros(2, 2, 4, 4)));
    }
}
