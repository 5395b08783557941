namespace SoftDiffusion.Data;

/// <summary>
/// The user's copy of the aligned CelebA images (Liu et al., 2015) used for CelebA-64 (docs/method.md §8.1): a folder holding
/// img_align_celeba/ (000001.jpg .. 202599.jpg, 178 x 218 RGB) and list_eval_partition.txt (the official split).
/// The data cannot be redistributed, so the workbook never ships or downloads it; missing pieces raise a message saying
/// where it comes from and which layout is expected.
/// </summary>
public sealed class CelebAFolder
{
    /// <summary>The environment variable naming the CelebA folder when none is given.</summary>
    public const string EnvironmentVariable = "SOFT_DIFFUSION_CELEBA";

    /// <summary>The sub-folder of JPEGs ("Align&amp;Cropped Images", img_align_celeba.zip unpacked).</summary>
    public const string ImageFolderName = "img_align_celeba";

    /// <summary>The official split file (from the Eval folder of the CelebA download).</summary>
    public const string PartitionFileName = "list_eval_partition.txt";

    /// <summary>Where CelebA comes from.</summary>
    public const string ProjectPage = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html";

    /// <summary>The CelebA folder.</summary>
    public string Root { get; }

    /// <summary>Root/img_align_celeba.</summary>
    public string ImageFolder => Path.Combine(Root, ImageFolderName);

    /// <summary>Root/list_eval_partition.txt.</summary>
    public string PartitionFile => Path.Combine(Root, PartitionFileName);

    CelebAFolder(string root) => Root = root;

    /// <summary>
    /// Checks the layout of <paramref name="folder"/> (or of the folder in SOFT_DIFFUSION_CELEBA) and returns it.
    /// Throws <see cref="DirectoryNotFoundException"/> or <see cref="FileNotFoundException"/> naming what is missing,
    /// where CelebA comes from and the expected layout. The JPEGs themselves are checked during preparation.
    /// </summary>
    public static CelebAFolder Open(string? folder = null)
    {
        string root = folder
            ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv : null)
            ?? throw new DirectoryNotFoundException($"No CelebA folder given and {EnvironmentVariable} is not set. {HowToGet("<folder>")}");
        var celeba = new CelebAFolder(Path.GetFullPath(root));
        if (!Directory.Exists(celeba.Root))
            throw new DirectoryNotFoundException($"CelebA folder {celeba.Root} does not exist. {HowToGet(celeba.Root)}");
        if (!Directory.Exists(celeba.ImageFolder))
            throw new DirectoryNotFoundException($"CelebA image folder {celeba.ImageFolder} is missing. {HowToGet(celeba.Root)}");
        if (!File.Exists(celeba.PartitionFile))
            throw new FileNotFoundException($"CelebA partition file {celeba.PartitionFile} is missing. {HowToGet(celeba.Root)}", celeba.PartitionFile);
        return celeba;
    }

    /// <summary>Where to download CelebA and the layout expected under <paramref name="root"/>.</summary>
    public static string HowToGet(string root) =>
        $"CelebA comes from the CelebA project page, {ProjectPage}: download \"Align&Cropped Images\" " +
        $"(img_align_celeba.zip) and {PartitionFileName} from the Eval folder. Expected layout: " +
        $"{Path.Combine(root, ImageFolderName)}/000001.jpg .. 202599.jpg (178 x 218 RGB JPEGs) and " +
        $"{Path.Combine(root, PartitionFileName)} (lines \"000001.jpg 0\"; 0/1/2 = train/valid/test). " +
        $"Pass the folder explicitly or set {EnvironmentVariable}.";

    /// <summary>The file names of <paramref name="split"/>, in the order of the partition file (e.g. "000001.jpg").</summary>
    public IReadOnlyList<string> FileNames(CelebASplit split)
    {
        var names = new List<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(PartitionFile))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || !int.TryParse(fields[1], out int partition) || partition is < 0 or > 2)
                throw new InvalidDataException(
                    $"{PartitionFile} line {lineNumber}: expected \"<file>.jpg <0|1|2>\", got \"{line}\".");
            if (partition == (int)split) names.Add(fields[0]);
        }
        return names;
    }
}
