using SoftDiffusion.Tools;
using SoftDiffusion.Workbook;
using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>Executes every notebooks/*.ipynb headless through dotnet-repl in the smoke profile (the host users have).</summary>
public class NotebookExecutionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(ProjectPaths.Root, "notebooks"), "*.ipynb").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsInTheSmokeProfileWithoutFailingCells(string notebook)
    {
        string source = Path.Combine(ProjectPaths.Root, "notebooks", notebook);
        string executed = Path.Combine(ProjectPaths.Root, "artifacts", "test-notebooks", notebook);
        var run = NotebookRunner.Run(source, executed, "smoke", TimeSpan.FromMinutes(10));
        output.WriteLine(run.Describe());
        Assert.True(run.Succeeded, run.Describe());
    }
}
