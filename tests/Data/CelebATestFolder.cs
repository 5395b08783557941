using SkiaSharp;
using SoftDiffusion.Data;

namespace SoftDiffusion.Tests.Data;

/// <summary>
/// A CelebA-layout folder in a temp directory with generated JPEGs whose pattern makes the crop checkable: green
/// (0, 255, 0) outside the 140 x 140 centre crop, and inside it a left half of red 230 and a right half of red 30,
/// both with a blue value that identifies the image. JPEGs are written at quality 100 with 4:4:4 chroma so colours
/// survive to within a few levels.
/// </summary>
public sealed class CelebATestFolder : IDisposable
{
    /// <summary>Red of the crop's left half and right half.</summary>
    public const byte RedLeft = 230, RedRight = 30;

    /// <summary>Partition of the 12 standard images (8 train, 2 valid, 2 test), interleaved so filtering must keep order.</summary>
    public static readonly int[] StandardPartitions = [0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 2, 0];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "celeba-test-" + Guid.NewGuid().ToString("N"));

    public string ImageFolder => Path.Combine(Root, CelebAFolder.ImageFolderName);

    /// <summary>The blue value that identifies standard image <paramref name="k"/> (0-based, file k+1).</summary>
    public static byte Blue(int k) => (byte)(20 + 15 * k);

    public static string FileName(int k) => $"{k + 1:D6}.jpg";

    /// <summary>An empty layout (image folder, no partition file).</summary>
    public CelebATestFolder() => Directory.CreateDirectory(ImageFolder);

    /// <summary>The 12 standard 178 x 218 images.</summary>
    public static CelebATestFolder Standard()
    {
        var folder = new CelebATestFolder();
        for (int k = 0; k < StandardPartitions.Length; k++) folder.AddPattern(k, 178, 218, StandardPartitions[k]);
        return folder;
    }

    /// <summary>Adds a pattern JPEG of <paramref name="width"/> x <paramref name="height"/> as file k+1, with its partition line.</summary>
    public void AddPattern(int k, int width, int height, int partition) =>
        Add(FileName(k), Jpeg(Pattern(width, height, Blue(k))), partition);

    /// <summary>Writes <paramref name="bytes"/> as img_align_celeba/<paramref name="name"/> and appends its partition line.</summary>
    public void Add(string name, byte[] bytes, int partition)
    {
        File.WriteAllBytes(Path.Combine(ImageFolder, name), bytes);
        File.AppendAllText(Path.Combine(Root, CelebAFolder.PartitionFileName), $"{name} {partition}\n");
    }

    /// <summary>Green outside the centre crop (corner ((W-140)/2, (H-140)/2)), red 230 | red 30 halves inside, blue everywhere inside.</summary>
    public static SKBitmap Pattern(int width, int height, byte blue)
    {
        int left = (width - 140) / 2, top = (height - 140) / 2;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint { IsAntialias = false };
        canvas.Clear(new SKColor(0, 255, 0));
        paint.Color = new SKColor(RedLeft, 0, blue);
        canvas.DrawRect(SKRect.Create(left, top, 70, 140), paint);
        paint.Color = new SKColor(RedRight, 0, blue);
        canvas.DrawRect(SKRect.Create(left + 70, top, 70, 140), paint);
        return bitmap;
    }

    public static byte[] Jpeg(SKBitmap bitmap)
    {
        using (bitmap)
        using (var pixmap = bitmap.PeekPixels())
        using (var data = pixmap.Encode(new SKJpegEncoderOptions(100, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width} x {bitmap.Height} JPEG."))
            return data.ToArray();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
