using System.Text;

namespace SoftDiffusion.Runtime;

/// <summary>Finds the system's libstdc++.so.6 and tells which GLIBCXX versions it defines.</summary>
public static class SystemLibStdCxx
{
    static readonly string[] Folders =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    ];

    /// <summary>Path of the libstdc++.so.6 the loader would use, or null when none is found in the usual folders.</summary>
    public static string? Path
    {
        get
        {
            var fromEnv = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
            return fromEnv.Concat(Folders)
                .Select(d => System.IO.Path.Combine(d, "libstdc++.so.6"))
                .FirstOrDefault(File.Exists);
        }
    }

    /// <summary>True when the system libstdc++ defines <paramref name="version"/> (its name appears in the version table).</summary>
    public static bool Provides(string version)
    {
        string? path = Path;
        if (path is null) return false;
        byte[] bytes = File.ReadAllBytes(path);
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return bytes.AsSpan().IndexOf(needle) >= 0;
    }
}
