using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SoftDiffusion.Workbook;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Workbook;

public class PngEncoderTests
{
    /// <summary>An independent reader: walks the chunks, checks each CRC (bitwise CRC-32), inflates IDAT, unfilters type-0 rows.</summary>
    static (int Width, int Height, int ColourType, byte[] Pixels) Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int at = 8, width = 0, height = 0, colour = 0;
        var idat = new MemoryStream();
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            Assert.Equal(BitwiseCrc(png.AsSpan(at + 4, length + 4)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            if (type == "IHDR") { width = BinaryPrimitives.ReadInt32BigEndian(data); height = BinaryPrimitives.ReadInt32BigEndian(data[4..]); colour = data[9]; }
            if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        int stride = width * (colour == 2 ? 3 : 1);
        var rows = raw.ToArray();
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, rows[y * (stride + 1)]);
            Array.Copy(rows, y * (stride + 1) + 1, pixels, y * stride, stride);
        }
        return (width, height, colour, pixels);
    }

    static uint BitwiseCrc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    [Fact]
    public void EncodesGrayAndRgbLosslessly()
    {
        var gray = Enumerable.Range(0, 5 * 3).Select(i => (byte)(i * 17)).ToArray();
        var g = Decode(PngEncoder.Encode(gray, 5, 3, 1));
        Assert.Equal((5, 3, 0), (g.Width, g.Height, g.ColourType));
        Assert.Equal(gray, g.Pixels);

        var rgb = Enumerable.Range(0, 4 * 2 * 3).Select(i => (byte)(255 - i)).ToArray();
        var c = Decode(PngEncoder.Encode(rgb, 4, 2, 3));
        Assert.Equal((4, 2, 2), (c.Width, c.Height, c.ColourType));
        Assert.Equal(rgb, c.Pixels);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(rgb, 4, 3, 3));
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
