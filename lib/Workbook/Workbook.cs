using System.Reflection;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Workbook;

/// <summary>
/// The one setup call of every notebook: loads the natives, makes Plotly.NET and image grids display in the
/// notebook hosts, sets threads and the default seed, reads the profile and prints what it chose.
/// </summary>
public static class Workbook
{
    /// <summary>The default seed of every notebook.</summary>
    public const long DefaultSeed = 0;

    /// <summary>Sets everything up; safe to call again (re-running the first cell).</summary>
    /// <param name="profile">Overrides SOFT_DIFFUSION_PROFILE.</param>
    /// <param name="seed">Seed of torch's default generator.</param>
    /// <param name="threads">Intra-op threads (default: SOFT_DIFFUSION_THREADS when set, else the cores not busy with other
    /// work when Init runs, <see cref="ThreadPolicy.Choose"/>; one thread per process is faster when two runs share a
    /// 2-core machine).</param>
    public static WorkbookSession Init(Profile? profile = null, long seed = DefaultSeed, int? threads = null)
    {
        TorchNatives.EnsureLoaded();
        FSharpCoreRedirect.Install();
        if (NotebookFormatters.InHost) NotebookFormatters.Register();
        var threadChoice = ThreadPolicy.Choose(threads);
        torch.set_num_threads(threadChoice.Threads);
        torch.manual_seed(seed);

        bool cuda = torch.cuda.is_available();
        var session = new WorkbookSession(
            profile ?? Profile.FromEnvironment(cuda),
            cuda ? CUDA : CPU,
            seed,
            torch.get_num_threads(),
            $"{threadChoice.Reason}; {TorchNatives.OpenMpWaiting}; {TorchNatives.Convolutions}",
            TorchSharpVersion,
            LibTorchVersion);
        Console.WriteLine(session.Summary);
        return session;
    }

    /// <summary>TorchSharp's package version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The libtorch version the natives were built from (from the loaded package folder name or TorchSharp).</summary>
    public static string LibTorchVersion => torch.__version__;
}
