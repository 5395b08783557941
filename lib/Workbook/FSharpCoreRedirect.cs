using System.Reflection;
using System.Runtime.Loader;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Plotly.NET 6.0.0 references FSharp.Core 10.1.0.0 while the notebook hosts (dotnet-interactive, dotnet-repl)
/// ship and load FSharp.Core 10.0.0.0, so every chart fails with "Could not load file or assembly 'FSharp.Core,
/// Version=10.1.0.0'". This answers such a request with the FSharp.Core already loaded (environment.md).
/// </summary>
static class FSharpCoreRedirect
{
    static int installed;

    /// <summary>Registers the redirect once per process.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? LoadedFSharpCore() : null;
    }

    static Assembly? LoadedFSharpCore() =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
}
