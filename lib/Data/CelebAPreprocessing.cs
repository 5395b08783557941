using SkiaSharp;

namespace SoftDiffusion.Data;

/// <summary>
/// The standard CelebA-64 preprocessing (docs/method.md §8.1): centre crop 140 x 140 of the aligned 178 x 218 image, then an
/// antialiased resize to 64 x 64, giving RGB bytes in HWC order. The crop's corner is
/// left = (W - 140) / 2, top = (H - 140) / 2 in integer division (19, 39 for 178 x 218), so images of another size are
/// still centre-cropped when they are at least 140 x 140. The resize draws the cropped image with
/// <see cref="Sampling"/>: bilinear filtering on the nearest mipmap level. For 140 -> 64 (2.19x) Skia picks level 1,
/// the crop box-filtered 2 x 2 to 70 x 70, and interpolates that bilinearly to 64 x 64, so every output pixel averages
/// a ~4 x 4 source footprint (antialiased). Measured on 1-pixel black/white stripes: this gives a flat 127; plain
/// bilinear gives 8..247 (aliasing), trilinear (MipmapMode.Linear) gives 83..171 (Skia's level choice for this scale
/// lies between levels 0 and 1, so it still mixes in the unfiltered image), and the cubic resamplers (Mitchell
/// 29..226) sample a fixed 4 x 4 source neighbourhood.
/// </summary>
public static class CelebAPreprocessing
{
    /// <summary>Width of the aligned CelebA images.</summary>
    public const int SourceWidth = 178;

    /// <summary>Height of the aligned CelebA images.</summary>
    public const int SourceHeight = 218;

    /// <summary>Side of the centre crop.</summary>
    public const int CropSize = 140;

    /// <summary>Side of the output images.</summary>
    public const int Size = 64;

    /// <summary>Colour channels of the output (RGB).</summary>
    public const int Channels = 3;

    /// <summary>Bytes of one output image: 64 * 64 * 3.</summary>
    public const int ImageBytes = Size * Size * Channels;

    /// <summary>Bilinear on the nearest mipmap level (the 2 x 2 box-filtered 70 x 70 level for 140 -> 64): antialiases the downscale.</summary>
    public static SKSamplingOptions Sampling { get; } = new(SKFilterMode.Linear, SKMipmapMode.Nearest);

    /// <summary>The centre crop of a <paramref name="width"/> x <paramref name="height"/> image: left = (W-140)/2, top = (H-140)/2.</summary>
    public static SKRectI CropRect(int width, int height)
    {
        if (width < CropSize || height < CropSize)
            throw new ArgumentException($"Expected an image of at least {CropSize} x {CropSize}, got {width} x {height}.");
        return SKRectI.Create((width - CropSize) / 2, (height - CropSize) / 2, CropSize, CropSize);
    }

    /// <summary>
    /// Decodes the image file at <paramref name="path"/>, crops and resizes it into <paramref name="rgb"/>
    /// ([64, 64, 3] bytes). Returns null on success, or why the file cannot be used (unreadable, not an image,
    /// truncated, smaller than the crop).
    /// </summary>
    public static string? TryPreprocess(string path, Span<byte> rgb)
    {
        if (!File.Exists(path)) return "file not found";
        using var codec = SKCodec.Create(path, out var opened);
        if (codec is null) return $"not a decodable image (SkiaSharp: {opened})";
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < CropSize || height < CropSize)
            return $"{width} x {height} is smaller than the {CropSize} x {CropSize} centre crop (aligned CelebA images are {SourceWidth} x {SourceHeight})";
        using var decoded = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result != SKCodecResult.Success) return $"decoding failed (SkiaSharp: {result})";
        Preprocess(decoded, rgb);
        return null;
    }

    /// <summary>Crops <paramref name="image"/> (at least 140 x 140) at its centre and resizes it into <paramref name="rgb"/> ([64, 64, 3] bytes).</summary>
    public static void Preprocess(SKBitmap image, Span<byte> rgb)
    {
        if (rgb.Length != ImageBytes)
            throw new ArgumentException($"Expected a destination of {ImageBytes} bytes (64 x 64 x 3), got {rgb.Length}.", nameof(rgb));
        using var cropped = new SKBitmap();
        // Extract first so the mipmaps are built from the crop alone and nothing outside it bleeds into the edges.
        if (!image.ExtractSubset(cropped, CropRect(image.Width, image.Height)))
            throw new InvalidOperationException($"SkiaSharp could not crop a {image.Width} x {image.Height} {image.ColorType} bitmap.");
        using var resized = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (!cropped.ScalePixels(resized, Sampling))
            throw new InvalidOperationException($"SkiaSharp could not resize a {CropSize} x {CropSize} {cropped.ColorType} crop.");
        CopyRgb(resized.GetPixelSpan(), rgb);
    }

    /// <summary>Drops the alpha byte of each RGBA pixel (opaque JPEGs: premultiplied equals straight colour).</summary>
    static void CopyRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        for (int p = 0; p < Size * Size; p++)
            rgba.Slice(4 * p, Channels).CopyTo(rgb.Slice(Channels * p, Channels));
    }
}
