using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace SoftDiffusion.Runtime;

/// <summary>
/// Loads TorchSharp's natives (from TorchSharp's NuGet packages) by absolute path before first use, so neither a system libtorch nor
/// TorchSharp's package-folder fallback is picked up, and applies the libstdc++ compatibility fix on Linux
/// (<see cref="ElfVersionPatcher"/>). When loading fails, the exception names the library and the loader's reason.
/// </summary>
/// <remarks>
/// <see cref="EnsureLoaded"/> is the library's one initialiser: a program or a notebook that references the
/// SoftDiffusion.Lib package calls it once before its first tensor; <c>Workbook.Init()</c> calls it for the notebooks.
/// </remarks>
public static class TorchNatives
{
    static readonly object Gate = new();
    static string? loadedFrom;

    /// <summary>The folder LibTorchSharp was loaded from, or null before <see cref="EnsureLoaded"/>.</summary>
    public static string? LoadedFrom => loadedFrom;

    /// <summary>How OpenMP threads wait, as set before the natives loaded (<see cref="ThreadPolicy.ApplyOpenMpWaiting"/>);
    /// null before <see cref="EnsureLoaded"/>.</summary>
    public static string? OpenMpWaiting { get; private set; }

    /// <summary>Whether convolutions use oneDNN, as set when the natives loaded (<see cref="ConvolutionKernels"/>);
    /// null before <see cref="EnsureLoaded"/>.</summary>
    public static string? Convolutions { get; private set; }

    /// <summary>True when the last <see cref="EnsureLoaded"/> had to mark GLIBCXX_3.4.32 weak in the loaded file.</summary>
    public static bool Patched { get; private set; }

    /// <summary>
    /// Loads LibTorchSharp and libtorch (TorchSharp's natives, from TorchSharp's NuGet packages); call it once before the
    /// first tensor. Safe to call many times. Looks beside this library (a build for a runtime identifier, as this
    /// project's bin/), in runtimes/&lt;rid&gt;/native of the application (a program that references the SoftDiffusion.Lib
    /// package), then in the NuGet package folders (a notebook's <c>#r "nuget: SoftDiffusion.Lib, ..."</c>).
    /// </summary>
    /// <exception cref="DllNotFoundException">The natives were not found (the message lists where it looked and what
    /// to reference), or the system loader refused them (the message quotes its reason).</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loadedFrom is not null) return;
            OpenMpWaiting = ThreadPolicy.ApplyOpenMpWaiting();   // libgomp reads it once, when libtorch loads
            var convolutions = ConvolutionKernels.Prepare();     // oneDNN reads its cap once, at its first kernel
            var (bridgeDirectory, libTorchDirectory) = FindNatives();
            // In NuGet's package folders libtorch and LibTorchSharp sit in different packages: libtorch is loaded first,
            // so the loader resolves LibTorchSharp's dependencies (libtorch, c10, torch_cpu) to it by name.
            if (libTorchDirectory is not null) LoadExplained(Path.Combine(libTorchDirectory, LibTorchFileName));
            string bridge = Path.Combine(bridgeDirectory, BridgeFileName);
            if (OperatingSystem.IsLinux()) (bridge, Patched) = PatchIfNeeded(bridge, inPackageFolder: libTorchDirectory is not null);
            LoadExplained(bridge);
            torch.InitializeDeviceType(DeviceType.CPU);
            Convolutions = ConvolutionKernels.Complete(convolutions);
            loadedFrom = Path.GetDirectoryName(bridge);
        }
    }

    static string BridgeFileName =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" :
        OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    static string LibTorchFileName =>
        OperatingSystem.IsWindows() ? "torch.dll" :
        OperatingSystem.IsMacOS() ? "libtorch.dylib" : "libtorch.so";

    /// <summary>The runtime identifier of TorchSharp's native packages for this process (linux-x64, win-x64, osx-arm64, ...).</summary>
    static string Rid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>The libtorch version this library was built against (the libtorch-cpu-&lt;rid&gt; package version).</summary>
    static string LibTorchVersion =>
        typeof(TorchNatives).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "unknown";

    /// <summary>
    /// The folder of LibTorchSharp, and the folder of libtorch when it is elsewhere (NuGet package folders), else null.
    /// 1. beside SoftDiffusion.Lib.dll or TorchSharp.dll: builds for a runtime identifier (bin/lib/, tests, tools);
    /// 2. runtimes/&lt;rid&gt;/native under the application: a program with a PackageReference to SoftDiffusion.Lib;
    /// 3. NuGet's package folders (TorchSharp.dll loaded from torchsharp/&lt;version&gt;/lib/...): a notebook's #r "nuget:".
    /// </summary>
    static (string Bridge, string? LibTorch) FindNatives()
    {
        var assemblyFolders = new[] { typeof(TorchNatives).Assembly, typeof(torch).Assembly }
            .Select(a => Path.GetDirectoryName(a.Location))
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => d!)
            .ToList();
        var together = assemblyFolders
            .Concat(assemblyFolders.Append(AppContext.BaseDirectory).Select(d => Path.Combine(d, "runtimes", Rid, "native")))
            .Select(Path.GetFullPath)
            .Distinct()
            .ToList();
        foreach (var directory in together)
            if (File.Exists(Path.Combine(directory, BridgeFileName)) && File.Exists(Path.Combine(directory, LibTorchFileName)))
                return (directory, null);

        var searched = new List<string>(together);
        string torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "";
        if (torchSharpFolder.Length > 0)
        {
            // torchsharp/<version>/lib/<tfm>/TorchSharp.dll in a NuGet package folder.
            string packages = Path.GetFullPath(Path.Combine(torchSharpFolder, "..", "..", "..", ".."));
            string bridgeFolder = Path.GetFullPath(Path.Combine(torchSharpFolder, "..", "..", "runtimes", Rid, "native"));
            string libTorchFolder = Path.Combine(packages, $"libtorch-cpu-{Rid}", LibTorchVersion, "runtimes", Rid, "native");
            searched.Add(bridgeFolder);
            searched.Add(libTorchFolder);
            if (File.Exists(Path.Combine(bridgeFolder, BridgeFileName)) && File.Exists(Path.Combine(libTorchFolder, LibTorchFileName)))
                return (bridgeFolder, libTorchFolder);
        }
        throw new DllNotFoundException(NotFoundMessage(searched));
    }

    /// <summary>What to do when the natives are missing: the package to reference (or, in the clone, the build to run).</summary>
    internal static string NotFoundMessage(IEnumerable<string> searched) =>
        $"TorchSharp's native libraries ({BridgeFileName} and {LibTorchFileName}, libtorch {LibTorchVersion} for {Rid}) were " +
        $"not found; looked in {string.Join(", ", searched)}. " +
        "Outside this repository, reference the NuGet package SoftDiffusion.Lib (made by `dotnet pack SoftDiffusion.Lib.csproj`; " +
        "a PackageReference, or in a notebook `#i \"nuget: <folder of the .nupkg>\"` and `#r \"nuget: SoftDiffusion.Lib, <version>\"`), " +
        $"which brings TorchSharp and libtorch-cpu-{Rid}, then call SoftDiffusion.Runtime.TorchNatives.EnsureLoaded() once before " +
        "the first tensor; a reference to the file SoftDiffusion.Lib.dll alone does not bring the natives. " +
        "Inside the repository, `dotnet build SoftDiffusion.Lib.csproj` puts them in bin/lib/, which the notebooks reference. " +
        "See README.md, \"Use the library from your own program or notebook\", and environment.md.";

    /// <summary>
    /// Marks the GLIBCXX_3.4.32 requirement weak when the system libstdc++ does not provide it. A bridge in NuGet's
    /// package folder is left untouched: a patched copy is written to the user's local application data and loaded instead.
    /// Returns the file to load and whether it was patched.
    /// </summary>
    static (string Bridge, bool Patched) PatchIfNeeded(string bridge, bool inPackageFolder)
    {
        if (SystemLibStdCxx.Provides(ElfVersionPatcher.AnchorVersion)) return (bridge, false);
        try
        {
            if (inPackageFolder) bridge = PrivateCopy(bridge);
            return (bridge, ElfVersionPatcher.MarkWeakInFile(bridge, ElfVersionPatcher.AnchorVersion));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DllNotFoundException(
                $"{bridge} needs {ElfVersionPatcher.AnchorVersion}, which this system's libstdc++ lacks, and the file " +
                $"cannot be patched here ({e.Message}). Build the project into a writable folder.", e);
        }
    }

    /// <summary>A copy of <paramref name="bridge"/> in LocalApplicationData/SoftDiffusion/natives/&lt;TorchSharp version&gt;/.</summary>
    static string PrivateCopy(string bridge)
    {
        string version = typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        string folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData,
            Environment.SpecialFolderOption.Create), "SoftDiffusion", "natives", $"torchsharp-{version}");
        string copy = Path.Combine(folder, BridgeFileName);
        if (File.Exists(copy) && new FileInfo(copy).Length == new FileInfo(bridge).Length) return copy;
        Directory.CreateDirectory(folder);
        string temp = $"{copy}.{Environment.ProcessId}.copying";
        File.Copy(bridge, temp, overwrite: true);
        File.Move(temp, copy, overwrite: true);
        return copy;
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
