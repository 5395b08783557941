using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SoftDiffusion.Runtime;
using SoftDiffusion.Tools;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>Committed notebooks carry no outputs, reference the locally built library and pin packages to the csproj's versions.</summary>
public partial class NotebookHygieneTests
{
    static IEnumerable<(string Name, JsonArray Cells)> Committed() =>
        Directory.GetFiles(Path.Combine(ProjectPaths.Root, "notebooks"), "*.ipynb").Order()
            .Select(p => (Path.GetFileName(p), JsonNode.Parse(File.ReadAllText(p))!["cells"]!.AsArray()));

    static IEnumerable<string> CodeSources(JsonArray cells) =>
        cells.Where(c => (string?)c!["cell_type"] == "code").Select(c => NotebookRunner.Text(c!["source"]));

    [Fact]
    public void ThereAreNotebooksAndNoneIsCommittedWithOutputs()
    {
        var notebooks = Committed().ToList();
        Assert.Contains(notebooks, n => n.Name == "00_tour.ipynb");
        foreach (var (name, cells) in notebooks)
            foreach (var cell in cells.Where(c => (string?)c!["cell_type"] == "code"))
            {
                Assert.True(cell!["outputs"] is JsonArray { Count: 0 }, $"{name} is committed with outputs; strip them.");
                Assert.True(cell["execution_count"] is null, $"{name} is committed with execution counts; strip them.");
            }
    }

    [Fact]
    public void NotebooksReferenceTheBuiltLibraryAndCallInitFirst()
    {
        foreach (var (name, cells) in Committed())
        {
            var code = CodeSources(cells).ToList();
            var references = ReferencePath().Matches(code[0]).Select(m => m.Groups[1].Value).ToList();
            Assert.Contains("../bin/lib/SoftDiffusion.Lib.dll", references);
            foreach (var reference in references)
                Assert.True(File.Exists(Path.Combine(ProjectPaths.Root, "notebooks", reference)), $"{name} references {reference}, which the build does not produce.");
            Assert.Contains("Workbook.Init(", code[1]);
        }
    }

    [Fact]
    public void NugetReferencesArePinnedToTheCsprojVersions()
    {
        var csprojVersions = PackageVersions();
        foreach (var (name, cells) in Committed())
            foreach (Match m in NugetReference().Matches(string.Join("\n", CodeSources(cells))))
            {
                string package = m.Groups[1].Value.Trim(), version = m.Groups[2].Value.Trim();
                Assert.True(csprojVersions.TryGetValue(package, out var pinned), $"{name} names package {package}, which SoftDiffusion.Lib.csproj does not reference.");
                Assert.True(pinned == version, $"{name} pins {package} {version}; the csproj has {pinned}.");
            }
    }

    /// <summary>Package versions of the library project with the $(Properties) of Directory.Build.props substituted.</summary>
    static Dictionary<string, string> PackageVersions()
    {
        var properties = XDocument.Load(Path.Combine(ProjectPaths.Root, "Directory.Build.props")).Descendants()
            .Where(e => !e.HasElements).GroupBy(e => e.Name.LocalName).ToDictionary(g => g.Key, g => g.Last().Value);
        return XDocument.Load(Path.Combine(ProjectPaths.Root, "SoftDiffusion.Lib.csproj")).Descendants("PackageReference")
            .GroupBy(p => (string)p.Attribute("Include")!)
            .ToDictionary(g => g.Key, g => Regex.Replace((string)g.First().Attribute("Version")!, @"\$\((\w+)\)", v => properties[v.Groups[1].Value]));
    }

    [GeneratedRegex("^#r\\s+\"(?!nuget:)([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex ReferencePath();

    [GeneratedRegex("#r\\s+\"nuget:\\s*([^,\"]+),\\s*([^\"]+)\"")]
    private static partial Regex NugetReference();
}
