namespace SoftDiffusion.Runtime;

/// <summary>Folders of the checkout the library was built from: data/, runs/, notebooks/.</summary>
public static class ProjectPaths
{
    const string Marker = "SoftDiffusion.Lib.csproj";

    /// <summary>
    /// The repository root: the first folder above the library's build output (bin/lib/) that holds
    /// SoftDiffusion.Lib.csproj, or above the current directory. Override with SOFT_DIFFUSION_ROOT.
    /// </summary>
    public static string Root { get; } = FindRoot();

    /// <summary>data/: embedded datasets, fixtures and reference statistics (committed).</summary>
    public static string Data => Path.Combine(Root, "data");

    /// <summary>runs/: what training writes (ignored by git). Override with SOFT_DIFFUSION_RUNS.</summary>
    public static string Runs => Environment.GetEnvironmentVariable("SOFT_DIFFUSION_RUNS") is { Length: > 0 } runs
        ? runs
        : Path.Combine(Root, "runs");

    static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("SOFT_DIFFUSION_ROOT") is { Length: > 0 } root) return root;
        string? assemblyDir = Path.GetDirectoryName(typeof(ProjectPaths).Assembly.Location);
        foreach (var start in new[] { assemblyDir, Environment.CurrentDirectory })
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        throw new DirectoryNotFoundException(
            $"Could not find the repository root (a folder holding {Marker}) above {assemblyDir} or {Environment.CurrentDirectory}. " +
            "Set SOFT_DIFFUSION_ROOT to the folder of your clone.");
    }
}
