using SoftDiffusion.Runtime;
using static TorchSharp.torch;

namespace SoftDiffusion.Data;

/// <summary>The two Fashion-MNIST splits (Xiao et al., 2017; MIT licence).</summary>
public enum FashionMnistSplit
{
    /// <summary>60,000 training images.</summary>
    Train,
    /// <summary>10,000 test images (embedded in data/fashion-mnist).</summary>
    Test,
}

/// <summary>
/// Fashion-MNIST: 28 x 28 grayscale clothing images in 10 classes. The test split is committed in
/// data/fashion-mnist (the workbook's embedded default); the 60k training split is read from a folder the user
/// gives, from SOFT_DIFFUSION_FASHION_MNIST, or from /usr/share/datasets/fashion-mnist (Debian's
/// dataset-fashion-mnist package).
/// </summary>
public sealed class FashionMnist
{
    /// <summary>The environment variable naming a folder with the four IDX files.</summary>
    public const string EnvironmentVariable = "SOFT_DIFFUSION_FASHION_MNIST";

    /// <summary>Debian's install folder.</summary>
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Pixels [N, 28, 28] as bytes 0..255, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>Labels [N] in 0..9.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;

    /// <summary>The folder the files were read from.</summary>
    public string Folder { get; }

    /// <summary>The split.</summary>
    public FashionMnistSplit Split { get; }

    /// <summary>Image side (28).</summary>
    public const int Size = 28;

    FashionMnist(byte[] pixels, byte[] labels, string folder, FashionMnistSplit split) =>
        (Pixels, Labels, Folder, Split) = (pixels, labels, folder, split);

    /// <summary>The training split (60k) when found, else the embedded test split (10k): what the workbook trains on.</summary>
    public static FashionMnist LoadTrainingOrEmbedded()
    {
        try { return Load(FashionMnistSplit.Train); }
        catch (DirectoryNotFoundException) { return Load(FashionMnistSplit.Test); }
    }

    /// <summary>Loads a split from <paramref name="folder"/>, or from the first folder that has it (see the class summary).</summary>
    public static FashionMnist Load(FashionMnistSplit split = FashionMnistSplit.Test, string? folder = null)
    {
        string prefix = split == FashionMnistSplit.Train ? "train" : "t10k";
        var searched = folder is null ? CandidateFolders().ToList() : [folder];
        string found = searched.FirstOrDefault(f => HasSplit(f, prefix))
            ?? throw new DirectoryNotFoundException(
                $"Fashion-MNIST {split.ToString().ToLowerInvariant()} split not found in {string.Join(", ", searched)}. " +
                $"Expected {prefix}-images-idx3-ubyte(.gz) and {prefix}-labels-idx1-ubyte(.gz). Install Debian's dataset-fashion-mnist, " +
                $"or set {EnvironmentVariable} to a folder with the files from https://github.com/zalandoresearch/fashion-mnist.");
        var images = IdxFile.Read(Resolve(found, $"{prefix}-images-idx3-ubyte"), expectedRank: 3);
        var labels = IdxFile.Read(Resolve(found, $"{prefix}-labels-idx1-ubyte"), expectedRank: 1);
        if (images.Dimensions[1] != Size || images.Dimensions[2] != Size)
            throw new InvalidDataException($"{images.Path}: expected {Size} x {Size} images, got {images.Dimensions[1]} x {images.Dimensions[2]}.");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException($"{images.Path} holds {images.Dimensions[0]} images but {labels.Path} holds {labels.Dimensions[0]} labels.");
        int bad = Array.FindIndex(labels.Data, l => l > 9);
        if (bad >= 0) throw new InvalidDataException($"{labels.Path}: expected labels 0..9, found {labels.Data[bad]} at index {bad}.");
        return new FashionMnist(images.Data, labels.Data, found, split);
    }

    /// <summary>Folders searched, in order: SOFT_DIFFUSION_FASHION_MNIST, /usr/share/datasets/fashion-mnist, data/fashion-mnist.</summary>
    public static IEnumerable<string> CandidateFolders()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv) yield return fromEnv;
        yield return SystemFolder;
        yield return Path.Combine(ProjectPaths.Data, "fashion-mnist");
    }

    static bool HasSplit(string folder, string prefix) =>
        File.Exists(Resolve(folder, $"{prefix}-images-idx3-ubyte")) && File.Exists(Resolve(folder, $"{prefix}-labels-idx1-ubyte"));

    static string Resolve(string folder, string stem)
    {
        string plain = Path.Combine(folder, stem);
        return File.Exists(plain) ? plain : plain + ".gz";
    }

    /// <summary>Images [count, 1, 28 (+2 pad), 28 (+2 pad)] scaled to [-1, 1]; padding (to 32 x 32 with pad 2) uses -1 (background).</summary>
    /// <param name="start">First image index.</param>
    /// <param name="count">Number of images (default: to the end).</param>
    /// <param name="pad">Pixels of background added on each side (2 gives 32 x 32).</param>
    public Tensor Images(int start = 0, int? count = null, int pad = 0)
    {
        int n = count ?? Count - start;
        if (start < 0 || n < 0 || start + n > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Expected a range inside 0..{Count}, got start {start}, count {n}.");
        using var scope = NewDisposeScope();
        var bytes = tensor(Pixels.AsSpan(start * Size * Size, n * Size * Size).ToArray(), new long[] { n, 1, Size, Size });
        var x = bytes.to(ScalarType.Float32).div(127.5).sub(1);
        if (pad > 0) x = nn.functional.pad(x, new long[] { pad, pad, pad, pad }, value: -1);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Labels [count] as int64.</summary>
    public Tensor LabelTensor(int start = 0, int? count = null)
    {
        int n = count ?? Count - start;
        return tensor(Labels.AsSpan(start, n).ToArray().Select(l => (long)l).ToArray());
    }
}
