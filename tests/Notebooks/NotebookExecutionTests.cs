using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>Executes every notebooks/*.ipynb headless through dotnet-repl in the smoke profile (the host users have).</summary>
[Collection(ExecutedNotebooksCollection.Name)]
public class NotebookExecutionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Notebooks() => ExecutedNotebooks.Names();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsInTheSmokeProfileWithoutFailingCells(string notebook)
    {
        var run = ExecutedNotebooks.Get(notebook);
        output.WriteLine(run.Describe());
        Assert.True(run.Succeeded, run.Describe());
    }
}
