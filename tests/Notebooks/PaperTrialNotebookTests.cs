using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Tests.Data;
using SoftDiffusion.Tools;
using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Notebooks;

/// <summary>
/// The paper profile's notebooks start and run on a CPU when asked for a trial (SOFT_DIFFUSION_PROFILE=paper,
/// SOFT_DIFFUSION_TRIAL_STEPS=2): notebook 04 trains the paper U-Net on CelebA-64 (a generated 12-image CelebA folder),
/// 05-07 train it on Fashion-MNIST, where it keeps 3 of its 4 resolution levels, and sample and score. Notebooks 00-03
/// take only counts from the profile, which a trial sets to the smoke profile's, so the smoke runs cover them. Each gets
/// twice the smoke notebooks' time limit: with the SSE4.1 convolution kernels of an AMD CPU (ConvolutionKernels) the
/// paper U-Net is about 3 times slower, and notebook 06's trial (its ablation runs of 2 steps, each sampled and scored)
/// took over 10 minutes in a fresh-clone CI run on a 2-core AMD EPYC.
/// </summary>
[Collection(ExecutedNotebooksCollection.Name)]
public sealed class PaperTrialNotebookTests(ITestOutputHelper output) : IDisposable
{
    readonly CelebATestFolder celeba = CelebATestFolder.Standard();
    readonly string runs = Directory.CreateTempSubdirectory("paper-trial-runs-").FullName;

    public static TheoryData<string> Notebooks() => ["04_training.ipynb", "05_samplers.ipynb", "06_ablations.ipynb", "07_fid.ipynb"];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void StartsAndRunsInAPaperProfileTrial(string notebook)
    {
        var run = NotebookRunner.Run(Path.Combine(ProjectPaths.Root, "notebooks", notebook),
            Path.Combine(ExecutedNotebooks.Folder, "paper-trial", notebook), "paper", 2 * ExecutedNotebooks.Timeout(),
            new Dictionary<string, string?>
            {
                [Profile.TrialStepsVariable] = "2",
                ["SOFT_DIFFUSION_RUNS"] = runs,
                [SoftDiffusion.Data.CelebAFolder.EnvironmentVariable] = celeba.Root,
                ["SOFT_DIFFUSION_RETRAIN"] = null,
            });
        output.WriteLine(run.Describe());
        Assert.True(run.Succeeded, run.Describe());
        string executed = File.ReadAllText(run.Output);
        Assert.Contains("profile paper (trial: 2 steps per run)", executed);
        Assert.Contains(notebook.StartsWith("04") ? "celeba" : "3 of the profile's 4 resolution levels", executed);
    }

    public void Dispose()
    {
        celeba.Dispose();
        Directory.Delete(runs, recursive: true);
    }
}
