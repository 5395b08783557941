using System.Text.RegularExpressions;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests.Docs;

/// <summary>
/// The library's folders form one-way layers: each folder lib/X holds namespace SoftDiffusion.X and uses only the
/// folders before it in <see cref="Layers"/> (the method core first, then training, data and evaluation, then the
/// experiments, then the notebook support). An upward or circular dependency fails with the file and line that
/// introduces it; a new folder fails until it is given its place here (and in docs/architecture.md).
/// </summary>
public partial class LayeringTests
{
    /// <summary>Bottom to top. A folder may use any folder listed before it, none after it.</summary>
    public static readonly string[] Layers =
    [
        "Runtime",                                                                     // natives, project paths
        "Schedules", "Corruptions", "Selection", "Start", "Models", "Losses", "Sampling", // the method core
        "Evaluation", "Training", "Data",                                              // scores, training runs, datasets
        "Experiments",                                                                 // recipes, profiles, runs, scorers
        "Workbook",                                                                    // notebook support: Init, charts, progress
    ];

    static readonly string Lib = Path.Combine(ProjectPaths.Root, "lib");

    [GeneratedRegex(@"\bSoftDiffusion\.([A-Z]\w*)")]
    private static partial Regex NamespaceUse();

    [GeneratedRegex(@"^namespace SoftDiffusion\.(\w+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    /// <summary>Uses of SoftDiffusion.X in code (using directives and qualified names; comments and strings left out).</summary>
    public static IEnumerable<(int Line, string Namespace)> Uses(string source)
    {
        string[] lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string code = Regex.Replace(lines[i], "\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");   // string literals
            int comment = code.IndexOf("//", StringComparison.Ordinal);
            if (comment >= 0) code = code[..comment];
            foreach (Match m in NamespaceUse().Matches(code)) yield return (i + 1, m.Groups[1].Value);
        }
    }

    [Fact]
    public void EveryFolderHasItsPlaceAndItsOwnNamespace()
    {
        var folders = Directory.GetDirectories(Lib).Select(Path.GetFileName).Order().ToArray();
        Assert.True(folders.Order().SequenceEqual(Layers.Order()),
            $"Expected lib/ to hold exactly the folders of LayeringTests.Layers; unplaced: [{string.Join(", ", folders.Except(Layers))}], " +
            $"missing: [{string.Join(", ", Layers.Except(folders!))}]. Give a new folder its layer there and in docs/architecture.md.");
        var wrong = (from folder in Layers
                     from file in Directory.GetFiles(Path.Combine(Lib, folder), "*.cs")
                     let declared = NamespaceDeclaration().Match(File.ReadAllText(file))
                     where !declared.Success || declared.Groups[1].Value != folder
                     select $"{Path.GetRelativePath(ProjectPaths.Root, file)}: expected namespace SoftDiffusion.{folder}, " +
                            $"found {(declared.Success ? "SoftDiffusion." + declared.Groups[1].Value : "none")}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void NoFolderUsesAFolderAboveItOrItself()
    {
        var upward = new List<string>();
        for (int rank = 0; rank < Layers.Length; rank++)
            foreach (string file in Directory.GetFiles(Path.Combine(Lib, Layers[rank]), "*.cs"))
                foreach (var (line, used) in Uses(File.ReadAllText(file)))
                {
                    int usedRank = Array.IndexOf(Layers, used);
                    if (usedRank > rank)
                        upward.Add($"{Path.GetRelativePath(ProjectPaths.Root, file)}:{line}: {Layers[rank]} uses {used}, a layer above it");
                }
        Assert.True(upward.Count == 0, "Expected dependencies to point down the layers only:\n" + string.Join("\n", upward));
    }

    [Theory]
    [InlineData("using SoftDiffusion.Models;", new[] { "Models" })]
    [InlineData("var x = new SoftDiffusion.Sampling.NaiveSampler(); // SoftDiffusion.Workbook", new[] { "Sampling" })]
    [InlineData("Console.WriteLine(\"SoftDiffusion.Workbook.Init\");", new string[0])]
    [InlineData("/// <see cref=\"SoftDiffusion.Workbook.Profile\"/>", new string[0])]
    public void UsesAreReadFromCodeOnly(string line, string[] expected) =>
        Assert.Equal(expected, Uses(line).Select(u => u.Namespace).ToArray());
}
