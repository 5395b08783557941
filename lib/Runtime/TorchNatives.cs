using System.Runtime.InteropServices;
using TorchSharp;

namespace SoftDiffusion.Runtime;

/// <summary>
/// Loads this project's TorchSharp natives by absolute path before first use, so neither a system libtorch nor
/// TorchSharp's package-folder fallback is picked up, and applies the libstdc++ compatibility fix on Linux
/// (<see cref="ElfVersionPatcher"/>). When loading fails, the exception names the library and the loader's reason.
/// </summary>
public static class TorchNatives
{
    static readonly object Gate = new();
    static string? loadedFrom;

    /// <summary>The folder the natives were loaded from, or null before <see cref="EnsureLoaded"/>.</summary>
    public static string? LoadedFrom => loadedFrom;

    /// <summary>True when the last <see cref="EnsureLoaded"/> had to mark GLIBCXX_3.4.32 weak in the loaded file.</summary>
    public static bool Patched { get; private set; }

    /// <summary>Loads LibTorchSharp and libtorch from the folder that holds them; safe to call many times.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loadedFrom is not null) return;
            string directory = FindNativeDirectory();
            string bridge = Path.Combine(directory, BridgeFileName);
            if (OperatingSystem.IsLinux()) Patched = PatchIfNeeded(bridge);
            LoadExplained(bridge);
            torch.InitializeDeviceType(DeviceType.CPU);
            loadedFrom = directory;
        }
    }

    static string BridgeFileName =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" :
        OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>
    /// The natives sit beside the library when it was built for a runtime identifier (bin/ of this project, the tests
    /// and the tools); TorchSharp.dll's folder is the second place looked at.
    /// </summary>
    static string FindNativeDirectory()
    {
        var candidates = new[] { typeof(TorchNatives).Assembly, typeof(torch).Assembly }
            .Select(a => Path.GetDirectoryName(a.Location))
            .Where(d => !string.IsNullOrEmpty(d))
            .Distinct()
            .Select(d => d!)
            .ToList();
        foreach (var directory in candidates)
            if (File.Exists(Path.Combine(directory, BridgeFileName))) return directory;
        throw new DllNotFoundException(
            $"TorchSharp's native library {BridgeFileName} was not found in {string.Join(" or ", candidates)}. " +
            "Build the project (dotnet build) so that bin/ holds the libtorch package of this platform " +
            "(libtorch-cpu-linux-x64, -win-x64 or -osx-arm64; see environment.md), then reference bin/lib/SoftDiffusion.Lib.dll.");
    }

    /// <summary>Marks the GLIBCXX_3.4.32 requirement weak when the system libstdc++ does not provide it.</summary>
    static bool PatchIfNeeded(string bridge)
    {
        if (SystemLibStdCxx.Provides(ElfVersionPatcher.AnchorVersion)) return false;
        try
        {
            return ElfVersionPatcher.MarkWeakInFile(bridge, ElfVersionPatcher.AnchorVersion);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DllNotFoundException(
                $"{bridge} needs {ElfVersionPatcher.AnchorVersion}, which this system's libstdc++ lacks, and the file " +
                $"cannot be patched here ({e.Message}). Build the project into a writable folder.", e);
        }
    }

    /// <summary>Loads a native library by absolute path; a refusal is rethrown with the loader's reason and what to do.</summary>
    internal static void LoadExplained(string path)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"The native library {path} exists but the system loader refused it: {e.Message.Trim()} " +
                "A missing 'GLIBCXX_x' or 'GLIBC_x' version means this system's C++/C runtime is older than the one " +
                "libtorch was built for (see environment.md, OS notes); an 'undefined symbol' usually means another " +
                "libtorch (e.g. Debian's libtorch-dev) was loaded first — remove it from LD_LIBRARY_PATH.", e);
        }
    }
}
