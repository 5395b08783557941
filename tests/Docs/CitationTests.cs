using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests.Docs;

/// <summary>
/// Every citation of the method document resolves: "docs/method.md §N" (or §N.M) in lib/, tools/, tests/, the
/// notebooks' cell sources, README.md, environment.md and docs/ names a numbered heading of docs/method.md, and
/// nothing cites notes that are not in the repository (the private design and style notes or their folder, or a method.md outside
/// docs/). Failures name the file and line. This file is left out of the scan: it spells the patterns it looks for.
/// </summary>
public partial class CitationTests
{
    static readonly string Root = ProjectPaths.Root;
    static readonly string MethodPath = Path.Combine(Root, "docs", "method.md");
    static readonly string[] Extensions = [".cs", ".md", ".ipynb"];

    /// <summary>"method.md" followed by one or more section numbers: "§3", "§ 6.2", "section 4", "§3.1, §10.3", "§6 / §7".</summary>
    [GeneratedRegex(@"method\.md\s*((?:(?:§|section\b)\s*\d+(?:\.\d+)*(?:\s*(?:,|/|and\b)\s*)?)+)", RegexOptions.IgnoreCase)]
    private static partial Regex Citation();

    [GeneratedRegex(@"\d+(?:\.\d+)*")]
    private static partial Regex SectionNumber();

    /// <summary>A numbered heading of docs/method.md: "## 3. Soft Score Matching", "### 3.2 The loss".</summary>
    [GeneratedRegex(@"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s")]
    private static partial Regex NumberedHeading();

    /// <summary>A bare "§N" inside docs/method.md, which refers to the document itself.</summary>
    [GeneratedRegex(@"§\s*(\d+(?:\.\d+)*)")]
    private static partial Regex SelfReference();

    /// <summary>Notes that are not part of the repository.</summary>
    [GeneratedRegex(@"(?<![\w.-])(?:design|style)\.md\b|\.\./shared\b", RegexOptions.IgnoreCase)]
    private static partial Regex PrivateNote();

    /// <summary>"method.md" not preceded by "docs/": the old private note rather than this repository's document.</summary>
    [GeneratedRegex(@"(?<!docs/)(?<![\w.-])method\.md\b", RegexOptions.IgnoreCase)]
    private static partial Regex BareMethodNote();

    /// <summary>The section numbers a line cites, in order ("docs/method.md §3.1, §10.3" gives 3.1 and 10.3).</summary>
    internal static IEnumerable<string> CitedSections(string line) =>
        Citation().Matches(line).SelectMany(m => SectionNumber().Matches(m.Groups[1].Value).Select(n => n.Value));

    /// <summary>The section numbers of docs/method.md's headings.</summary>
    static List<string> Sections() =>
        File.ReadLines(MethodPath).Select(l => NumberedHeading().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    /// <summary>(path relative to the root, line label, text) of every scanned line.</summary>
    static IEnumerable<(string File, string Where, string Text)> ScannedLines()
    {
        string self = Path.GetFullPath(Path.Combine(Root, "tests", "Docs", "CitationTests.cs"));
        var files = new[] { "lib", "tools", "tests", "notebooks", "docs" }
            .Select(d => Path.Combine(Root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Concat(new[] { "README.md", "environment.md" }.Select(f => Path.Combine(Root, f)).Where(File.Exists))
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !InBuildOutput(Path.GetRelativePath(Root, f)))
            .Where(f => !string.Equals(Path.GetFullPath(f), self, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
            if (file.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var line in NotebookLines(file)) yield return (relative, line.Where, line.Text);
                continue;
            }
            int number = 0;
            foreach (var text in File.ReadLines(file)) yield return (relative, $"line {++number}", text);
        }
    }

    static bool InBuildOutput(string relative) =>
        relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part is "bin" or "obj");

    /// <summary>The source lines of a notebook's cells (outputs are not scanned), labelled "cell i, line j".</summary>
    static IEnumerable<(string Where, string Text)> NotebookLines(string path)
    {
        var cells = JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();
        for (int i = 0; i < cells.Count; i++)
        {
            var source = cells[i]!["source"];
            string text = source is JsonArray parts ? string.Concat(parts.Select(p => (string?)p)) : (string?)source ?? "";
            var lines = text.Split('\n');
            for (int j = 0; j < lines.Length; j++) yield return ($"cell {i}, line {j + 1}", lines[j]);
        }
    }

    [Fact]
    public void TheMethodDocumentHasNumberedSectionsEachDefinedOnce()
    {
        Assert.True(File.Exists(MethodPath), $"{MethodPath} is missing: the code cites it.");
        var sections = Sections();
        Assert.True(sections.Count >= 10, $"docs/method.md has only {sections.Count} numbered headings.");
        var repeated = sections.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"docs/method.md numbers these sections more than once: {string.Join(", ", repeated)}.");
        string text = File.ReadAllText(MethodPath);
        foreach (var tag in new[] { "[paper]", "[choice]", "[derived]" })
            Assert.True(text.Contains($"**{tag}**", StringComparison.Ordinal), $"docs/method.md does not define the tag {tag}.");
    }

    [Fact]
    public void EveryCitationOfTheMethodDocumentNamesAnExistingSection()
    {
        var sections = Sections().ToHashSet();
        var broken = new List<string>();
        int citations = 0;
        foreach (var (file, where, text) in ScannedLines())
            foreach (var section in CitedSections(text))
            {
                citations++;
                if (!sections.Contains(section)) broken.Add($"{file}, {where}: cites §{section}, which docs/method.md has no heading for");
            }
        Assert.True(citations > 0, "No citation of docs/method.md was found; is the scan looking in the right folders?");
        Assert.True(broken.Count == 0, $"{broken.Count} citation(s) do not resolve:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void TheMethodDocumentRefersOnlyToItsOwnSections()
    {
        var sections = Sections().ToHashSet();
        var broken = File.ReadLines(MethodPath)
            .Select((text, i) => (Line: i + 1, Text: text))
            .SelectMany(l => SelfReference().Matches(l.Text).Select(m => (l.Line, Section: m.Groups[1].Value)))
            .Where(r => !sections.Contains(r.Section))
            .Select(r => $"docs/method.md, line {r.Line}: refers to §{r.Section}, which has no heading")
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void NothingCitesNotesOutsideTheRepository()
    {
        var found = ScannedLines()
            .Where(l => PrivateNote().IsMatch(l.Text) || BareMethodNote().IsMatch(l.Text))
            .Select(l => $"{l.File}, {l.Where}: {l.Text.Trim()}")
            .ToList();
        Assert.True(found.Count == 0,
            "Cite docs/method.md §N (or the paper) instead of notes that are not in the repository:\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("the loss (docs/method.md §3.2) and", new[] { "3.2" })]
    [InlineData("(docs/method.md §3.1, §10.3).", new[] { "3.1", "10.3" })]
    [InlineData("method.md section 4, \"report both\"", new[] { "4" })]
    [InlineData("Section 3.4 / docs/method.md §6.2) computed", new[] { "6.2" })]
    [InlineData("docs/method.md §6. Then", new[] { "6" })]
    [InlineData("docs/method.md §11.3, runs", new[] { "11.3" })]
    [InlineData("see [docs/method.md](docs/method.md) for the method", new string[0])]
    [InlineData("Soft Diffusion, Section 3.4", new string[0])]
    public void CitationsAreReadWithEverySectionTheyName(string line, string[] expected) =>
        Assert.Equal(expected, CitedSections(line).ToArray());

    [Theory]
    [InlineData("(design\u002Emd: an ablation swaps one object)", true)]
    [InlineData("Oracle tests (style\u002Emd principle 10)", true)]
    [InlineData("read ..\u002Fshared/notes for it", true)]
    [InlineData("the noise level (method.md: the paper uses 0.05 to 0.1)", true)]
    [InlineData("(docs/method.md §10.1: readings of the paper)", false)]
    [InlineData("[docs/method.md](docs/method.md)", false)]
    public void NotesOutsideTheRepositoryAreRecognised(string line, bool cited) =>
        Assert.Equal(cited, PrivateNote().IsMatch(line) || BareMethodNote().IsMatch(line));
}
