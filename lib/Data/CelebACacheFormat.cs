using System.Text;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Data;

/// <summary>
/// The CelebA-64 cache file (docs/method.md §8.1: the preprocessed 64 x 64 images, prepared once). Layout, little-endian:
/// <list type="number">
/// <item>a 32-byte header: magic "SDCELEBA" (8 ASCII bytes), int32 version (1), int32 count N, int32 height (64),
/// int32 width (64), int32 channels (3), int32 reserved (0);</item>
/// <item>N * 64 * 64 * 3 uint8 pixels, image-major, each image HWC (row by row, each pixel R, G, B);</item>
/// <item>the source file names: int32 byte length L, then L bytes of UTF-8 names separated by '\n', in image order.</item>
/// </list>
/// The train split is ~2 GB, so readers memory-map the pixels (see <see cref="CelebA64"/>).
/// </summary>
public static class CelebACacheFormat
{
    /// <summary>The first 8 bytes of every cache file.</summary>
    public static ReadOnlySpan<byte> Magic => "SDCELEBA"u8;

    /// <summary>The format version this code reads and writes.</summary>
    public const int Version = 1;

    /// <summary>Bytes before the first pixel.</summary>
    public const int HeaderBytes = 32;

    /// <summary>runs/cache/celeba64-&lt;split&gt;.u8 under <see cref="ProjectPaths.Runs"/> (an ignored folder).</summary>
    public static string DefaultPath(CelebASplit split) =>
        Path.Combine(ProjectPaths.Runs, "cache", $"celeba64-{split.ToString().ToLowerInvariant()}.u8");

    /// <summary>Byte offset of image <paramref name="index"/>.</summary>
    internal static long PixelOffset(long index) => HeaderBytes + index * CelebAPreprocessing.ImageBytes;

    /// <summary>Writes the header for <paramref name="count"/> images at the start of <paramref name="stream"/>.</summary>
    internal static void WriteHeader(Stream stream, int count)
    {
        stream.Position = 0;
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        foreach (int field in new[] { Version, count, CelebAPreprocessing.Size, CelebAPreprocessing.Size, CelebAPreprocessing.Channels, 0 })
            writer.Write(field);
    }

    /// <summary>Appends the file-name section after the pixels.</summary>
    internal static void WriteNames(Stream stream, IReadOnlyList<string> names)
    {
        byte[] text = Encoding.UTF8.GetBytes(string.Join('\n', names));
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(text.Length);
        writer.Write(text);
    }

    /// <summary>Reads and checks the header and the names of <paramref name="path"/>; returns the names (one per image).</summary>
    internal static string[] ReadNames(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        int count = ReadHeader(path, stream, reader);
        long namesAt = PixelOffset(count);
        if (stream.Length < namesAt + 4)
            throw Corrupt(path, $"{count} images need at least {namesAt + 4} bytes, the file has {stream.Length}");
        stream.Position = namesAt;
        int length = reader.ReadInt32();
        if (length < 0 || namesAt + 4 + length != stream.Length)
            throw Corrupt(path, $"the name section says {length} bytes, the file leaves {stream.Length - namesAt - 4}");
        string[] names = count == 0 ? [] : Encoding.UTF8.GetString(reader.ReadBytes(length)).Split('\n');
        if (names.Length != count) throw Corrupt(path, $"expected {count} file names, found {names.Length}");
        return names;
    }

    /// <summary>Checks magic, version and shape; returns the image count.</summary>
    static int ReadHeader(string path, Stream stream, BinaryReader reader)
    {
        if (stream.Length < HeaderBytes) throw Corrupt(path, $"expected a {HeaderBytes}-byte header, the file has {stream.Length} bytes");
        byte[] magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw Corrupt(path, $"expected magic \"SDCELEBA\", found \"{Encoding.ASCII.GetString(magic)}\"");
        int version = reader.ReadInt32(), count = reader.ReadInt32();
        int height = reader.ReadInt32(), width = reader.ReadInt32(), channels = reader.ReadInt32();
        if (version != Version) throw Corrupt(path, $"expected format version {Version}, found {version}");
        if ((height, width, channels) != (CelebAPreprocessing.Size, CelebAPreprocessing.Size, CelebAPreprocessing.Channels))
            throw Corrupt(path, $"expected 64 x 64 x 3 images, found {height} x {width} x {channels}");
        if (count < 0) throw Corrupt(path, $"expected a non-negative image count, found {count}");
        return count;
    }

    static InvalidDataException Corrupt(string path, string detail) =>
        new($"{path} is not a CelebA-64 cache of this version ({detail}). Delete it to prepare it again from the CelebA folder.");
}
