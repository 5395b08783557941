using System.IO.Compression;
using System.Text;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// Writes a sample set for other tools (pytorch-fid and clean-fid score folders of PNGs; numpy reads .npz): images
/// [N, C, H, W] in [-1, 1] become uint8 pixels round((x + 1) * 127.5), clamped to 0 .. 255, stored as
/// [N, H, W] (one channel) or [N, H, W, C] — the layout those tools expect.
/// </summary>
public static class SampleExport
{
    /// <summary>The uint8 pixels of <paramref name="images"/> in N, H, W, C order.</summary>
    /// <param name="images">[N, C, H, W] in [-1, 1] (values outside are clamped), C = 1 or 3.</param>
    public static byte[] ToBytes(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] is not (1 or 3))
            throw new ArgumentException($"Expected images [N, 1 or 3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        var pixels = ((images.detach().to(ScalarType.Float32, CPU) + 1) * 127.5).round().clamp(0, 255).to(ScalarType.Byte);
        return pixels.permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
    }

    /// <summary>Writes image k as <paramref name="folder"/>/k.png (six digits); returns the paths.</summary>
    public static IReadOnlyList<string> WritePngs(string folder, Tensor images)
    {
        byte[] bytes = ToBytes(images);
        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        Directory.CreateDirectory(folder);
        var paths = new List<string>(n);
        for (int k = 0; k < n; k++)
        {
            string path = Path.Combine(folder, $"{k:D6}.png");
            File.WriteAllBytes(path, PngFormat.Encode(bytes.AsSpan(k * h * w * c, h * w * c), w, h, c));
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>Writes (or replaces, atomically) an .npz holding "samples": uint8 [N, H, W] for one channel, [N, H, W, C] otherwise.</summary>
    public static void WriteNpz(string path, Tensor images)
    {
        byte[] bytes = ToBytes(images);
        long[] shape = images.shape[1] == 1 ? [images.shape[0], images.shape[2], images.shape[3]]
            : [images.shape[0], images.shape[2], images.shape[3], images.shape[1]];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, file =>   // replaces an earlier export of the same folder
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            using var stream = zip.CreateEntry("samples.npy", CompressionLevel.Fastest).Open();
            stream.Write(NpyHeader(shape));
            stream.Write(bytes);
        });
    }

    // NPY format 1.0: magic, version, little-endian header length, a Python dict literal padded with spaces to a
    // multiple of 64 bytes and ended by a newline.
    static byte[] NpyHeader(long[] shape)
    {
        string dict = $"{{'descr': '|u1', 'fortran_order': False, 'shape': ({string.Join(", ", shape)},), }}";
        int unpadded = 10 + dict.Length + 1;
        dict += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var header = new List<byte> { 0x93 };
        header.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        header.AddRange([1, 0, (byte)(dict.Length & 0xFF), (byte)(dict.Length >> 8)]);
        header.AddRange(Encoding.ASCII.GetBytes(dict));
        return [.. header];
    }
}
