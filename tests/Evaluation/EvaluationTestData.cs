namespace SoftDiffusion.Tests.Evaluation;

/// <summary>Files of the repository's data/ folder, found from the test binaries by walking up to the library project.</summary>
static class EvaluationTestData
{
    public static string DataFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SoftDiffusion.Lib.csproj")))
                return Path.Combine(dir.FullName, "data", name);
        throw new DirectoryNotFoundException($"No SoftDiffusion.Lib.csproj above {AppContext.BaseDirectory}.");
    }

    /// <summary>A fresh path in a per-test temporary folder (deleted by the caller's <see cref="TempFolder"/>).</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sd-eval-").FullName;
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
