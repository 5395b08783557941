using SkiaSharp;

namespace SoftDiffusion.Experiments;

/// <summary>Lossless PNG encoding of 8-bit gray or RGB pixels with SkiaSharp (sample grids and exported samples).</summary>
static class PngFormat
{
    /// <summary>Encodes <paramref name="pixels"/>: <paramref name="height"/> rows of <paramref name="width"/> pixels with
    /// <paramref name="channels"/> bytes each (1: gray, 3: RGB), row by row.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Expected 1 (gray) or 3 (RGB) channels.");
        if (width <= 0 || height <= 0 || pixels.Length != width * height * channels)
            throw new ArgumentException($"Expected {width} x {height} x {channels} = {(long)width * height * channels} bytes, got {pixels.Length}.", nameof(pixels));
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var target = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < height; y++)
        {
            var source = pixels.Slice(y * width * channels, width * channels);
            var row = target.Slice(y * rowBytes);
            if (channels == 1) source.CopyTo(row);
            else
                for (int x = 0; x < width; x++)
                {
                    source.Slice(3 * x, 3).CopyTo(row.Slice(4 * x, 3));
                    row[4 * x + 3] = 255;
                }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
