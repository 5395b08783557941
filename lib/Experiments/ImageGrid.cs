using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// A grid of images as one PNG, shown inline in a notebook (image/png) and saved to run folders.
/// </summary>
public sealed class ImageGrid
{
    /// <summary>The encoded PNG.</summary>
    public byte[] Png { get; }

    /// <summary>Grid width and height in pixels.</summary>
    public int Width { get; }
    public int Height { get; }

    ImageGrid(byte[] png, int width, int height) => (Png, Width, Height) = (png, width, height);

    /// <summary>Lays out <paramref name="images"/> row by row.</summary>
    /// <param name="images">[B, C, H, W] with C = 1 or 3, values in [-1, 1] (clamped).</param>
    /// <param name="columns">Images per row (default: about sqrt(B), at least 1).</param>
    /// <param name="scale">Integer upscaling (nearest neighbour) so 28 x 28 images are visible.</param>
    /// <param name="padding">Pixels between images (drawn white).</param>
    public static ImageGrid From(Tensor images, int? columns = null, int scale = 2, int padding = 2)
    {
        if (images.dim() != 4 || images.shape[1] is not (1 or 3))
            throw new ArgumentException($"Expected images [B, C, H, W] with C = 1 or 3, got [{string.Join(", ", images.shape)}].", nameof(images));
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Expected a scale of at least 1.");
        int b = (int)images.shape[0], c = (int)images.shape[1];
        int cols = Math.Max(1, columns ?? (int)Math.Ceiling(Math.Sqrt(b)));
        int rows = (b + cols - 1) / cols;
        int h = (int)images.shape[2] * scale, w = (int)images.shape[3] * scale;
        int width = cols * w + (cols + 1) * padding, height = rows * h + (rows + 1) * padding;

        byte[] bytes = ToBytes(images, scale);   // [B, h, w, C]
        var canvas = new byte[width * height * c];
        Array.Fill(canvas, (byte)255);
        for (int k = 0; k < b; k++)
        {
            int top = padding + (k / cols) * (h + padding), left = padding + (k % cols) * (w + padding);
            for (int y = 0; y < h; y++)
                Array.Copy(bytes, (k * h + y) * w * c, canvas, ((top + y) * width + left) * c, w * c);
        }
        return new ImageGrid(PngFormat.Encode(canvas, width, height, c), width, height);
    }

    // [-1, 1] -> bytes 0..255, channels last, upscaled by repetition.
    static byte[] ToBytes(Tensor images, int scale)
    {
        using var scope = NewDisposeScope();
        var x = images.detach().to(ScalarType.Float32).cpu().clamp(-1, 1).add(1).mul(127.5).round().to(ScalarType.Byte);
        if (scale > 1) x = x.repeat_interleave(scale, dim: 2).repeat_interleave(scale, dim: 3);
        return x.permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
    }

    /// <summary>Writes the PNG to <paramref name="path"/> (folders created).</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, Png);
    }
}
