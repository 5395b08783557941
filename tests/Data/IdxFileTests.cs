using System.IO.Compression;
using SoftDiffusion.Data;

namespace SoftDiffusion.Tests.Data;

public class IdxFileTests
{
    static byte[] Idx(int[] dims, int dataLength, byte type = 0x08)
    {
        var header = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims) header.AddRange(BitConverter.GetBytes(d).Reverse()); // big-endian
        return header.Concat(Enumerable.Range(0, dataLength).Select(i => (byte)i)).ToArray();
    }

    [Fact]
    public void ParsesDimensionsAndData()
    {
        var file = IdxFile.Parse(Idx([2, 3, 4], 24), "ok.idx", expectedRank: 3);
        Assert.Equal(new[] { 2, 3, 4 }, file.Dimensions);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)i), file.Data);
    }

    [Theory]
    [InlineData("truncated", 23)]
    [InlineData("trailing bytes", 25)]
    public void RejectsWrongLengthNamingTheFile(string reason, int length)
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Parse(Idx([2, 3, 4], length), "images.idx", 3));
        Assert.Contains("images.idx", e.Message);
        Assert.Contains("24 bytes", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void RejectsWrongMagicTypeAndRank()
    {
        Assert.Contains("00 00 <type> <rank>", Assert.Throws<InvalidDataException>(() => IdxFile.Parse([1, 2, 3, 4, 5], "a", 3)).Message);
        Assert.Contains("0x0D", Assert.Throws<InvalidDataException>(() => IdxFile.Parse(Idx([4], 4, type: 0x0D), "b", 1)).Message);
        Assert.Contains("expected 3 dimension(s), the header says 1", Assert.Throws<InvalidDataException>(() => IdxFile.Parse(Idx([4], 4), "c", 3)).Message);
        Assert.Contains("an empty file", Assert.Throws<InvalidDataException>(() => IdxFile.Parse([], "d", 3)).Message);
    }

    [Fact]
    public void ReadsGzipAndReportsCorruptGzip()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string good = Path.Combine(dir, "labels.gz");
            using (var gz = new GZipStream(File.Create(good), CompressionLevel.Fastest)) gz.Write(Idx([5], 5));
            Assert.Equal(new[] { 5 }, IdxFile.Read(good, 1).Dimensions);

            string bad = Path.Combine(dir, "bad.gz");
            File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
            Assert.Contains("bad.gz", Assert.Throws<InvalidDataException>(() => IdxFile.Read(bad, 1)).Message);
            Assert.Contains("missing.gz", Assert.Throws<FileNotFoundException>(() => IdxFile.Read(Path.Combine(dir, "missing.gz"), 1)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
