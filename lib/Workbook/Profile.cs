namespace SoftDiffusion.Workbook;

/// <summary>The scale of everything a notebook does (design.md, Profiles).</summary>
public enum ProfileName
{
    /// <summary>Seconds per notebook; what CI runs; proves every cell executes.</summary>
    Smoke,
    /// <summary>Real results on Fashion-MNIST in minutes to an hour on a laptop CPU.</summary>
    Cpu,
    /// <summary>CelebA-64 at the paper's scale, for a CUDA machine.</summary>
    Paper,
}

/// <summary>
/// What a profile means in numbers. Read once by <see cref="Workbook.Init"/> from SOFT_DIFFUSION_PROFILE
/// (smoke | cpu | paper); the default is cpu without a GPU and paper with one.
/// </summary>
/// <param name="Name">The profile.</param>
/// <param name="ImagesShown">Images in a grid shown inline.</param>
/// <param name="ImagesForStatistics">Images used for histograms, spectra and other dataset statistics.</param>
public sealed record Profile(ProfileName Name, int ImagesShown, int ImagesForStatistics)
{
    /// <summary>The environment variable that selects the profile.</summary>
    public const string EnvironmentVariable = "SOFT_DIFFUSION_PROFILE";

    public static Profile Smoke { get; } = new(ProfileName.Smoke, ImagesShown: 16, ImagesForStatistics: 500);
    public static Profile Cpu { get; } = new(ProfileName.Cpu, ImagesShown: 64, ImagesForStatistics: 10_000);
    public static Profile Paper { get; } = new(ProfileName.Paper, ImagesShown: 64, ImagesForStatistics: 50_000);

    /// <summary>The profile named <paramref name="name"/> (case-insensitive).</summary>
    public static Profile Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "smoke" => Smoke,
        "cpu" => Cpu,
        "paper" => Paper,
        _ => throw new ArgumentException($"Unknown profile '{name}': expected smoke, cpu or paper (set {EnvironmentVariable}).", nameof(name)),
    };

    /// <summary>The profile from SOFT_DIFFUSION_PROFILE, else cpu (no GPU) or paper (CUDA available).</summary>
    public static Profile FromEnvironment(bool cudaAvailable) =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } name ? Parse(name)
        : cudaAvailable ? Paper : Cpu;
}
