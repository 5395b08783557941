using System.IO.MemoryMappedFiles;
using static TorchSharp.torch;

namespace SoftDiffusion.Data;

/// <summary>
/// CelebA-64 (docs/method.md §8.1): the aligned CelebA images centre-cropped to 140 x 140 and resized to 64 x 64, served
/// from the cache file that <see cref="CelebAPreparation"/> writes, memory-mapped (the train split is ~2 GB), as
/// batches in [-1, 1] with optional horizontal flips (the paper's augmentation).
/// </summary>
public sealed class CelebA64 : IDisposable
{
    /// <summary>Image side (64).</summary>
    public const int Size = CelebAPreprocessing.Size;

    readonly MemoryMappedFile map;
    readonly MemoryMappedViewAccessor view;

    /// <summary>The cache file.</summary>
    public string CachePath { get; }

    /// <summary>Source file names, one per image, in cache order (the partition-file order less the failures).</summary>
    public IReadOnlyList<string> FileNames { get; }

    /// <summary>Number of images N.</summary>
    public int Count => FileNames.Count;

    CelebA64(string cachePath, string[] fileNames)
    {
        (CachePath, FileNames) = (cachePath, fileNames);
        map = MemoryMappedFile.CreateFromFile(cachePath, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    /// <summary>Opens a cache file; a file of another format, version or shape throws <see cref="InvalidDataException"/> naming it.</summary>
    public static CelebA64 Open(string cachePath)
    {
        string path = Path.GetFullPath(cachePath);
        if (!File.Exists(path)) throw new FileNotFoundException($"CelebA-64 cache {path} does not exist; prepare it with CelebAPreparation.Prepare or CelebA64.Load.", path);
        return new CelebA64(path, CelebACacheFormat.ReadNames(path));
    }

    /// <summary>
    /// Opens the cache of <paramref name="split"/> at <paramref name="cachePath"/> (default
    /// <see cref="CelebACacheFormat.DefaultPath"/>), preparing it first from the CelebA folder if it does not exist.
    /// An existing cache is used as it is, whatever folder it came from; delete it to prepare it again.
    /// </summary>
    /// <param name="split">The split (train, valid or test).</param>
    /// <param name="folder">The CelebA folder (default: SOFT_DIFFUSION_CELEBA); only read when the cache is missing.</param>
    /// <param name="cachePath">The cache file (default runs/cache/celeba64-&lt;split&gt;.u8).</param>
    /// <param name="options">Preparation options (threads, tolerated failures).</param>
    /// <param name="progress">Receives the number of images prepared so far, when the cache is being prepared.</param>
    public static CelebA64 Load(CelebASplit split, string? folder = null, string? cachePath = null,
        CelebAPreparationOptions? options = null, IProgress<int>? progress = null)
    {
        string path = cachePath ?? CelebACacheFormat.DefaultPath(split);
        if (!File.Exists(path)) CelebAPreparation.Prepare(CelebAFolder.Open(folder), split, path, options, progress);
        return Open(path);
    }

    /// <summary>Images [B, 3, 64, 64] float32 in [-1, 1] (byte v maps to v / 127.5 - 1).</summary>
    /// <param name="indices">Image indices [B] in 0..N-1.</param>
    /// <param name="flips">Per image, whether to flip it horizontally (along W); null flips none.</param>
    /// <param name="device">Where the batch is created (default CPU).</param>
    public Tensor Images(int[] indices, bool[]? flips = null, Device? device = null)
    {
        if (flips is not null && flips.Length != indices.Length)
            throw new ArgumentException($"Expected one flip per index ({indices.Length}), got {flips.Length}.", nameof(flips));
        var bytes = new byte[indices.Length * CelebAPreprocessing.ImageBytes];
        for (int b = 0; b < indices.Length; b++)
            ReadImage(indices[b], bytes.AsSpan(b * CelebAPreprocessing.ImageBytes, CelebAPreprocessing.ImageBytes), flips?[b] ?? false);
        using var scope = NewDisposeScope();
        var hwc = tensor(bytes, new long[] { indices.Length, Size, Size, CelebAPreprocessing.Channels }).to(device ?? CPU);
        var x = hwc.permute(0, 3, 1, 2).to(ScalarType.Float32).div(127.5).sub(1).contiguous();
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Images [B, 3, 64, 64] in [-1, 1], each flipped horizontally with probability 1/2 drawn from <paramref name="generator"/>.</summary>
    public Tensor Images(int[] indices, Generator generator, Device? device = null) =>
        Images(indices, RandomFlips(indices.Length, generator), device);

    /// <summary>Independent fair coin flips [count] from <paramref name="generator"/> (uniform u &lt; 0.5).</summary>
    public static bool[] RandomFlips(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        return rand(new long[] { count }, generator: generator).lt(0.5).data<bool>().ToArray();
    }

    /// <summary>Copies image <paramref name="index"/> (HWC bytes) from the mapped file into <paramref name="rgb"/>, mirrored along W if asked.</summary>
    void ReadImage(int index, Span<byte> rgb, bool flip)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"Expected an image index in 0..{Count - 1}, got {index}.");
        view.SafeMemoryMappedViewHandle.ReadSpan((ulong)(view.PointerOffset + CelebACacheFormat.PixelOffset(index)), rgb);
        if (flip) MirrorRows(rgb);
    }

    /// <summary>Reverses the pixel order of each row of a [64, 64, 3] image in place.</summary>
    static void MirrorRows(Span<byte> rgb)
    {
        const int c = CelebAPreprocessing.Channels;
        Span<byte> pixel = stackalloc byte[c];
        for (int y = 0; y < Size; y++)
        {
            var row = rgb.Slice(y * Size * c, Size * c);
            for (int x = 0; x < Size / 2; x++)
            {
                Span<byte> left = row.Slice(x * c, c), right = row.Slice((Size - 1 - x) * c, c);
                left.CopyTo(pixel);
                right.CopyTo(left);
                pixel.CopyTo(right);
            }
        }
    }

    /// <summary>Unmaps the cache file.</summary>
    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
