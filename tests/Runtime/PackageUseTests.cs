using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text;
using System.Xml.Linq;
using SoftDiffusion.Runtime;
using SoftDiffusion.Tests.Notebooks;

namespace SoftDiffusion.Tests.Runtime;

/// <summary>
/// The library as a program or notebook outside the clone uses it (README, "Use the library from your own program or
/// notebook"): <c>dotnet pack</c> of the library the tests were built with, into a local folder feed in an empty
/// temporary folder, with a version of its own. The children restore into a temporary global packages folder and
/// take TorchSharp and libtorch from the user's package folder as a read-only fallback (NUGET_FALLBACK_PACKAGES), so
/// nothing is downloaded or copied into the user's cache, and nothing is left behind.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    /// <summary>The temporary folder that holds the feed, the consumers and their package folder.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("sd-package-use-").FullName;

    /// <summary>The local folder feed that holds the package.</summary>
    public string Feed => Path.Combine(Folder, "feed");

    /// <summary>A version no package folder holds yet, so the consumers restore this very package.</summary>
    public string Version { get; } = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{System.Environment.ProcessId}";

    /// <summary>The package's SoftDiffusion.Lib.nuspec.</summary>
    public XDocument Nuspec { get; }

    /// <summary>The user's NuGet package folders, from the library's restore (obj/project.assets.json).</summary>
    public IReadOnlyList<string> UserPackageFolders { get; }

    /// <summary>How long <c>dotnet pack</c> took.</summary>
    public TimeSpan PackTime { get; }

    public PackedLibrary()
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Root, "obj", "project.assets.json")))!;
        UserPackageFolders = assets["packageFolders"]!.AsObject().Select(p => p.Key).ToList();

        // --no-build: the library the tests run against (bin/lib/), in the tests' configuration.
        string configuration = typeof(PackedLibrary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var pack = ChildProcess.Run("dotnet",
            ["pack", Path.Combine(ProjectPaths.Root, "SoftDiffusion.Lib.csproj"), "--no-build", "-c", configuration, "-o", Feed, $"-p:Version={Version}",
             $"-p:NuspecOutputPath={Path.Combine(Folder, "nuspec")}{Path.DirectorySeparatorChar}"],
            ProjectPaths.Root, Environment(), ExecutedNotebooks.Timeout());
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed (exit code {pack.ExitCode}):\n{pack.Output}");
        PackTime = pack.Elapsed;

        string package = Path.Combine(Feed, $"SoftDiffusion.Lib.{Version}.nupkg");
        Assert.True(File.Exists(package), $"dotnet pack wrote no {package}:\n{pack.Output}");
        using var zip = ZipFile.OpenRead(package);
        using var nuspec = zip.GetEntry("SoftDiffusion.Lib.nuspec")!.Open();
        Nuspec = XDocument.Load(nuspec);
    }

    /// <summary>The package ids the package depends on.</summary>
    public IReadOnlyList<string> Dependencies() =>
        Nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();

    /// <summary>
    /// The environment of the children: a package folder of their own with the user's as fallback, the natives' patched
    /// copy (notebooks, Debian 12) in the temporary folder, and no build servers left running.
    /// </summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["NUGET_PACKAGES"] = Path.Combine(Folder, "packages"),
        ["NUGET_FALLBACK_PACKAGES"] = string.Join(Path.PathSeparator, UserPackageFolders),
        ["XDG_DATA_HOME"] = Path.Combine(Folder, "data"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["UseSharedCompilation"] = "false",
        ["TERM"] = "dumb",
    };

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { /* a child may still hold a file */ }
    }
}

/// <summary>A finished child process.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Standard output and error.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ChildResult(int ExitCode, string Output, TimeSpan Elapsed);

/// <summary>Runs a command to its end with its output collected, killing it after a time limit.</summary>
public static class ChildProcess
{
    public static ChildResult Run(string file, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{file} {string.Join(" ", start.ArgumentList)} did not end within {timeout}. Output:\n{output}");
        }
        process.WaitForExit();   // drains the output
        lock (output) return new ChildResult(process.ExitCode, output.ToString(), clock.Elapsed);
    }
}

/// <summary>
/// The package, referenced from an empty folder outside the clone by a console program (PackageReference from a local
/// folder feed) and by a notebook (<c>#r "nuget: ..."</c> in dotnet-repl): one call to TorchNatives.EnsureLoaded(),
/// a tiny U-Net, and four steps of the Momentum sampler on blurred 8 x 8 images.
/// </summary>
public class PackageUseTests(PackedLibrary package) : IClassFixture<PackedLibrary>
{
    static string Rid => (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
                         RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>What both consumers run after referencing the package; prints shape=, finite= and natives=.</summary>
    const string SamplerCode = """
        SoftDiffusion.Runtime.TorchNatives.EnsureLoaded();
        var corruption = new BlurCorruption(BlurSchedule.LogSpaced(8));
        var schedule = new GeometricNoiseSchedule();
        var unet = new UNet(UNetConfig.Tiny(1));
        unet.eval();
        var noise = new PerSampleNoise(seed: 0, count: 2);
        var x1 = noise.Randn([1, 8, 8]) * schedule.Sigma(1.0);   // a smoke test: x_1 from noise, not from p_1
        var result = new MomentumSampler().Sample(new ResidualDenoiser(unet), corruption, schedule, x1, steps: 4, noise);
        Console.WriteLine($"shape=[{string.Join(", ", result.X.shape)}]");
        Console.WriteLine($"finite={result.X.isfinite().all().item<bool>()}");
        Console.WriteLine($"natives={SoftDiffusion.Runtime.TorchNatives.LoadedFrom}");
        """;

    const string Usings = """
        using SoftDiffusion.Corruptions;
        using SoftDiffusion.Models;
        using SoftDiffusion.Sampling;
        using SoftDiffusion.Schedules;
        """;

    [Fact]
    public void PackageDependsOnTorchSharpAndThisPlatformsLibTorchButNotOnTheNotebookHost()
    {
        var dependencies = package.Dependencies();
        Assert.True(dependencies.Contains("TorchSharp"), $"The package should depend on TorchSharp; it depends on {string.Join(", ", dependencies)}.");
        Assert.True(dependencies.Contains($"libtorch-cpu-{Rid}"),
            $"The package should bring the natives of this platform (libtorch-cpu-{Rid}); it depends on {string.Join(", ", dependencies)}.");
        var host = dependencies.Where(d => d.StartsWith("Microsoft.DotNet.Interactive", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(host.Count == 0, $"The notebook host's assemblies are compile-time only, yet the package depends on {string.Join(", ", host)}.");
    }

    [Fact]
    public void ProgramOutsideTheCloneReferencesThePackageAndRunsASampler()
    {
        string app = Directory.CreateDirectory(Path.Combine(package.Folder, "program")).FullName;
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="softdiffusion-local" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "program.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SoftDiffusion.Lib" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), $"{Usings}\nusing static TorchSharp.torch;\n\n{SamplerCode}\n");

        var build = ChildProcess.Run("dotnet", ["build", "-c", "Release"], app, package.Environment(), ExecutedNotebooks.Timeout());
        Assert.True(build.ExitCode == 0, $"The program that references the package did not build (exit code {build.ExitCode}):\n{build.Output}");

        string output = Path.Combine(app, "bin", "Release", "net10.0");
        var run = ChildProcess.Run("dotnet", [Path.Combine(output, "program.dll")], app, package.Environment(), ExecutedNotebooks.Timeout());
        Assert.True(run.ExitCode == 0, $"The program failed (exit code {run.ExitCode}):\n{run.Output}");
        AssertSampled(run.Output, "the program");
        // A portable build (no RuntimeIdentifier) keeps the natives in runtimes/<rid>/native; they were found there.
        Assert.Contains($"natives={Path.Combine(output, "runtimes", Rid, "native")}", run.Output);
        Console.WriteLine($"[package use] pack {package.PackTime.TotalSeconds:F1} s, program build {build.Elapsed.TotalSeconds:F1} s, run {run.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void NotebookOutsideTheCloneReferencesThePackageAndRunsASampler()
    {
        string folder = Directory.CreateDirectory(Path.Combine(package.Folder, "notebook")).FullName;
        string notebook = Path.Combine(folder, "use.ipynb"), executed = Path.Combine(folder, "use.executed.ipynb");
        File.WriteAllText(notebook, Notebook(
            $"#i \"nuget: {package.Feed}\"\n#r \"nuget: SoftDiffusion.Lib, {package.Version}\"",
            $"{Usings}\n\n{SamplerCode}"));

        var run = ChildProcess.Run("dotnet", [DotnetRepl(), "--run", notebook, "--exit-after-run", "--output-path", executed],
            folder, package.Environment(), ExecutedNotebooks.Timeout());
        Assert.True(File.Exists(executed), $"dotnet-repl wrote no executed notebook (exit code {run.ExitCode}):\n{run.Output}");
        var outputs = JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray()
            .SelectMany(c => c!["outputs"]!.AsArray()).ToList();
        var errors = outputs.Where(o => (string?)o!["output_type"] == "error").Select(o => $"{o!["ename"]}: {o["evalue"]}").ToList();
        Assert.True(errors.Count == 0 && run.ExitCode == 0, $"The notebook failed (exit code {run.ExitCode}): {string.Join("\n", errors)}\n{run.Output}");
        string text = string.Join("", outputs.Where(o => (string?)o!["output_type"] == "stream").Select(o => Text(o!["text"])));
        AssertSampled(text, "the notebook");
        Console.WriteLine($"[package use] notebook {run.Elapsed.TotalSeconds:F1} s");
    }

    static void AssertSampled(string output, string who)
    {
        Assert.True(output.Contains("shape=[2, 1, 8, 8]"), $"Expected {who} to print shape=[2, 1, 8, 8] (2 samples of 1 x 8 x 8). Output:\n{output}");
        Assert.True(output.Contains("finite=True"), $"Expected {who}'s samples to be finite. Output:\n{output}");
    }

    /// <summary>dotnet-repl from the user's package folder (dotnet-tools.json pins it; <c>dotnet tool restore</c> puts it there).</summary>
    string DotnetRepl()
    {
        var version = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Root, "dotnet-tools.json")))!["tools"]!["dotnet-repl"]!["version"];
        var found = package.UserPackageFolders
            .Select(f => Path.Combine(f, "dotnet-repl", version!, "tools"))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "dotnet-repl.dll", SearchOption.AllDirectories))
            .FirstOrDefault();
        Assert.True(found is not null, $"dotnet-repl {version} is not in {string.Join(", ", package.UserPackageFolders)}; run `dotnet tool restore` in the clone.");
        return found!;
    }

    static string Notebook(params string[] cells) => new JsonObject
    {
        ["cells"] = new JsonArray(cells.Select(source => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        }).ToArray()),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            ["polyglot_notebook"] = new JsonObject
            {
                ["kernelInfo"] = new JsonObject
                {
                    ["defaultKernelName"] = "csharp",
                    ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                },
            },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 2,
    }.ToJsonString();

    static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        _ => (string?)node ?? "",
    };
}
