using SoftDiffusion.Data;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The images a <see cref="ProfileTraining"/> run learns from: Fashion-MNIST (held in memory, 1 x 28 x 28) or
/// CelebA-64 (read batch by batch from the memory-mapped cache, 3 x 64 x 64, random horizontal flips), with the images
/// its statistics (blur level selection, p_1) are computed on.
/// </summary>
public sealed class TrainingSet : IDisposable
{
    /// <summary>Name of Fashion-MNIST in run folder names (runs/fashion-&lt;recipe&gt;-&lt;profile&gt;).</summary>
    public const string FashionMnistName = "fashion";

    /// <summary>Name of CelebA-64 in run folder names (runs/celeba-&lt;recipe&gt;-&lt;profile&gt;).</summary>
    public const string CelebAName = "celeba";

    /// <summary>At most this many CelebA-64 images are read for statistics (0.5 GB as float32) [choice].</summary>
    public const int CelebAStatisticsLimit = 10_000;

    readonly Tensor? inMemory;
    readonly CelebA64? celebA;

    /// <summary><see cref="FashionMnistName"/> or <see cref="CelebAName"/>.</summary>
    public string Name { get; }

    /// <summary>Dataset and split, e.g. "Fashion-MNIST train split" (for tables).</summary>
    public string Label { get; }

    /// <summary>One line: dataset, split, where it was read from, images used.</summary>
    public string Description { get; }

    /// <summary>The images the trainer draws batches from.</summary>
    public IImageDataset Images { get; }

    /// <summary>Images used, N.</summary>
    public int Count => Images.Count;

    /// <summary>[C, H, W] of one image.</summary>
    public long[] ImageShape => Images.ImageShape;

    TrainingSet(string name, string label, string description, IImageDataset images, Tensor? inMemory, CelebA64? celebA) =>
        (Name, Label, Description, Images, this.inMemory, this.celebA) = (name, label, description, images, inMemory, celebA);

    /// <summary>The first <paramref name="count"/> images of a Fashion-MNIST split (default all), in [-1, 1].</summary>
    public static TrainingSet FashionMnist(FashionMnist data, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = Math.Min(data.Count, count ?? data.Count);
        var images = data.Images(0, n);
        string label = $"Fashion-MNIST {data.Split.ToString().ToLowerInvariant()} split";
        return new TrainingSet(FashionMnistName, label, $"{label} ({data.Count} images from {data.Folder}), training on {n}",
            new TensorImageDataset(images), images, null);
    }

    /// <summary>The first <paramref name="count"/> images of a CelebA-64 cache (default all) with random flips; the
    /// set owns <paramref name="cache"/> and disposes it.</summary>
    public static TrainingSet CelebA(CelebA64 cache, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var images = new CelebAImageDataset(cache, count is null ? null : Math.Min(count.Value, cache.Count));
        return new TrainingSet(CelebAName, "CelebA-64",
            $"CelebA-64 ({cache.Count} images in {cache.CachePath}), training on {images.Count} with random horizontal flips",
            images, null, cache);
    }

    /// <summary>Whether <see cref="Load"/> chooses CelebA-64 for <paramref name="profile"/>: in the paper profile, or when
    /// SOFT_DIFFUSION_CELEBA names a CelebA folder.</summary>
    public static bool UsesCelebA(Profile profile) =>
        profile.Name == ProfileName.Paper || Environment.GetEnvironmentVariable(CelebAFolder.EnvironmentVariable) is { Length: > 0 };

    /// <summary>The training set of notebook 04 and tools/Train: CelebA-64's train split when <see cref="UsesCelebA"/>
    /// (its cache prepared first if missing, which throws naming what is missing when CelebA is not there), else
    /// <see cref="LoadFashionMnist"/>; the profile's <see cref="Profile.TrainingImages"/> limits either.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="preparation">Receives the images prepared so far while the CelebA cache is being written.</param>
    public static TrainingSet Load(Profile profile, IProgress<int>? preparation = null) => UsesCelebA(profile)
        ? CelebA(CelebA64.Load(CelebASplit.Train, progress: preparation), profile.TrainingImages)
        : LoadFashionMnist(profile);

    /// <summary>Fashion-MNIST's training split (60k), limited to the profile's <see cref="Profile.TrainingImages"/>. The
    /// smoke profile and trials fall back to the embedded test split (10k) when the training split is not installed; the
    /// cpu and paper profiles do not, since their scores compare samples with the test split.</summary>
    /// <exception cref="DirectoryNotFoundException">cpu or paper profile without the training split (the message says
    /// where it looked and how to install it).</exception>
    /// <param name="profile">The profile.</param>
    /// <param name="folder">Where the training split is; default the places <see cref="Data.FashionMnist"/> searches.</param>
    public static TrainingSet LoadFashionMnist(Profile profile, string? folder = null)
    {
        try
        {
            return FashionMnist(Data.FashionMnist.Load(FashionMnistSplit.Train, folder), profile.TrainingImages);
        }
        catch (DirectoryNotFoundException e) when (profile.Name != ProfileName.Smoke && profile.TrialSteps is null)
        {
            throw new DirectoryNotFoundException($"The {profile.FolderName} profile trains on Fashion-MNIST's 60,000-image train split " +
                "(the committed test split is what its scores compare samples with, so it cannot be the training set too). " + e.Message, e);
        }
        catch (DirectoryNotFoundException)
        {
            return FashionMnist(Data.FashionMnist.Load(FashionMnistSplit.Test), profile.TrainingImages);
        }
    }

    /// <summary>The first min(<paramref name="count"/>, limit) images [n, C, H, W] in [-1, 1], unflipped: what the level
    /// selection and p_1 are fitted on (limit: N, or <see cref="CelebAStatisticsLimit"/> for CelebA-64). The caller disposes it.</summary>
    public Tensor StatisticsImages(int count)
    {
        int limit = celebA is null ? Count : Math.Min(Count, CelebAStatisticsLimit);
        int n = Math.Max(1, Math.Min(count, limit));
        return inMemory is not null ? inMemory.narrow(0, 0, n) : Images.Images(Enumerable.Range(0, n).Select(i => (long)i).ToArray());
    }

    public void Dispose()
    {
        inMemory?.Dispose();
        celebA?.Dispose();
    }
}
