using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Experiments;

/// <summary>ProfileTraining (notebook 04, tools/Train) stopped through a token: the checkpoint of that step is written,
/// the message says how to resume, and opening the folder again resumes there; a run whose latest checkpoint is
/// damaged resumes from the previous one and says why.</summary>
public sealed class ProfileTrainingInterruptionTests : IDisposable
{
    static readonly Profile Tiny = Profile.Smoke with
    {
        TrainingSteps = 6, SampleEvery = 0, TrainingImages = 64, ImagesForStatistics = 64,
        Training = Profile.Smoke.Training with { CheckpointEvery = 2, CheckpointMinutes = 0 },
    };
    static readonly FashionMnist EmbeddedSplit = FashionMnist.Load(FashionMnistSplit.Test);

    readonly string root = Path.Combine(Path.GetTempPath(), $"profile-interruption-{Guid.NewGuid():N}");

    static TrainingSet Embedded => TrainingSet.FashionMnist(EmbeddedSplit, 64);

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void AStoppedRunSaysHowToResumeAndResumesAtThatStep()
    {
        using (var training = ProfileTraining.Open(Tiny, root, Embedded))
        {
            using var stop = new CancellationTokenSource();
            long done = training.Train(training.RemainingSteps, r => { if (r.Step == 3) stop.Cancel(); }, stop.Token);
            Assert.Equal(3, done);
            Assert.Contains($"Stopped at step 3 on request; its checkpoint is {training.Run.LatestCheckpointPath}", training.StoppedMessage());
            Assert.Contains($"--run {root}", training.StoppedMessage());
        }
        using var resumed = ProfileTraining.Open(Tiny, root, Embedded);
        Assert.Equal(3, resumed.StartStep);
        Assert.Equal(3, resumed.RemainingSteps);
        Assert.Null(resumed.ResumeWarning);
    }

    [Fact]
    public void ADamagedLatestCheckpointResumesFromThePreviousWithAWarning()
    {
        using (var training = ProfileTraining.Open(Tiny, root, Embedded)) training.Train(4);   // latest 4, previous 2
        string latest = Path.Combine(root, "checkpoints", "latest.ckpt");
        File.WriteAllBytes(latest, File.ReadAllBytes(latest)[..1000]);

        using var resumed = ProfileTraining.Open(Tiny, root, Embedded);

        Assert.Equal(2, resumed.StartStep);
        Assert.NotNull(resumed.ResumeWarning);
        Assert.Contains("the latest checkpoint could not be loaded", resumed.ResumeWarning);
        Assert.Contains("at step 2", resumed.ResumeWarning);
    }
}
