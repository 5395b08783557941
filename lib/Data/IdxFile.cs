using System.Buffers.Binary;
using System.IO.Compression;

namespace SoftDiffusion.Data;

/// <summary>
/// Reader of the IDX format of MNIST and Fashion-MNIST (big-endian; magic 0x00000800 + type code 0x08 for
/// unsigned bytes, then the number of dimensions; then one 32-bit size per dimension; then the data),
/// plain or gzip-compressed. Every inconsistency is reported with the file name.
/// </summary>
public sealed record IdxFile(string Path, int[] Dimensions, byte[] Data)
{
    const int UnsignedByte = 0x08;

    /// <summary>Reads and validates <paramref name="path"/> (.gz is decompressed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedRank">The number of dimensions the caller needs (3 for images, 1 for labels).</param>
    public static IdxFile Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        byte[] bytes;
        try
        {
            bytes = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Gunzip(path) : File.ReadAllBytes(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message}).", e);
        }
        return Parse(bytes, path, expectedRank);
    }

    /// <summary>Parses IDX bytes; <paramref name="name"/> appears in error messages.</summary>
    public static IdxFile Parse(byte[] bytes, string name, int expectedRank)
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{name}: expected an IDX file starting with 00 00 <type> <rank>, got {Describe(bytes)}.");
        if (bytes[2] != UnsignedByte)
            throw new InvalidDataException($"{name}: expected IDX data type 0x08 (unsigned byte), got 0x{bytes[2]:X2}.");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new InvalidDataException($"{name}: expected {expectedRank} dimension(s), the header says {rank} (magic 0x{BinaryPrimitives.ReadInt32BigEndian(bytes):X8}).");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new InvalidDataException($"{name}: truncated header: {bytes.Length} bytes, expected at least {headerLength}.");

        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0) throw new InvalidDataException($"{name}: dimension {i} is {dims[i]}, expected a positive size.");
            count *= dims[i];
        }
        long actual = bytes.Length - headerLength;
        if (actual != count)
            throw new InvalidDataException(
                $"{name}: header declares [{string.Join(" x ", dims)}] = {count} bytes of data but the file holds {actual} " +
                (actual < count ? "(truncated)." : "(trailing bytes)."));
        return new IdxFile(name, dims, bytes[headerLength..]);
    }

    static byte[] Gunzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    static string Describe(byte[] bytes) =>
        bytes.Length == 0 ? "an empty file" : string.Join(" ", bytes.Take(4).Select(b => b.ToString("X2")));
}
