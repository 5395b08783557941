using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Tests.Training;

/// <summary>A run keeps its latest and previous checkpoints, writes them by steps and by wall time, and falls back to
/// the previous one (saying so, keeping the failed file) when the latest cannot be loaded.</summary>
public sealed class RunCheckpointTests
{
    [Fact]
    public void CheckpointsAreWrittenByWallTimeAndTheOneBeforeIsKeptAsPrevious()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        // No step interval; a wall-time interval (6 microseconds) shorter than any step: a checkpoint after every step.
        var options = TrainingFixtures.Options with { CheckpointEvery = 0, CheckpointMinutes = 1e-7 };
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), options, run);
        var seen = new List<(long Step, long? Latest, long? Previous)>();

        trainer.Train(4, r => seen.Add((r.Step, StepIn(run.LatestCheckpointPath), StepIn(run.PreviousCheckpointPath))));

        // Each report comes before its step's checkpoint: at step k the latest holds k - 1, the previous k - 2.
        Assert.Equal([(1, null, null), (2, 1, null), (3, 2, 1), (4, 3, 2)], seen);
        Assert.Equal(4, StepIn(run.LatestCheckpointPath));
        Assert.Equal(3, StepIn(run.PreviousCheckpointPath));
    }

    [Fact]
    public void WithoutAnyIntervalOnlyTheLastStepIsSaved()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        var options = TrainingFixtures.Options with { CheckpointEvery = 0, CheckpointMinutes = 0 };
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), options, run);
        var latestDuringTraining = new List<long?>();

        trainer.Train(3, _ => latestDuringTraining.Add(StepIn(run.LatestCheckpointPath)));

        Assert.Equal([null, null, null], latestDuringTraining);
        Assert.Equal(3, StepIn(run.LatestCheckpointPath));
    }

    [Fact]
    public void ADamagedLatestCheckpointFallsBackToThePreviousSaysSoAndKeepsTheFile()
    {
        var run = TrainedRun(steps: 4);                                   // checkpoints every 2 steps: latest 4, previous 2
        Corrupt(run.LatestCheckpointPath);
        var warnings = new List<string>();
        using var initial = new UNet(TrainingFixtures.Config);
        using var resumed = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        Assert.True(resumed.TryResume(warnings.Add));

        Assert.Equal(2, resumed.Step);
        var warning = Assert.Single(warnings);
        Assert.Contains("the latest checkpoint could not be loaded", warning);
        Assert.Contains("is damaged", warning);
        Assert.Contains($"resumed from the previous checkpoint '{run.PreviousCheckpointPath}' at step 2", warning);
        string kept = Assert.Single(Directory.GetFiles(run.CheckpointsDirectory, "latest.ckpt.rejected-*"));
        Assert.Contains(kept, warning);
        Assert.False(File.Exists(run.LatestCheckpointPath));             // never overwritten in place, nor rotated into previous
        Assert.Equal(new long[] { 2 }, run.ReadMetrics().Select(m => m.Step));   // the lines of steps 3 and 4 are gone

        resumed.Train(1);
        Assert.Equal(3, StepIn(run.LatestCheckpointPath));
        Assert.Equal(2, StepIn(run.PreviousCheckpointPath));              // the good previous one stays until the next save
    }

    [Fact]
    public void WhenNeitherCheckpointLoadsTheErrorNamesBothAndWhy()
    {
        var run = TrainedRun(steps: 4);
        Corrupt(run.LatestCheckpointPath);
        File.WriteAllBytes(run.PreviousCheckpointPath, File.ReadAllBytes(run.PreviousCheckpointPath)[..100]);
        using var initial = new UNet(TrainingFixtures.Config);
        using var resumed = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        var error = Assert.Throws<InvalidDataException>(() => resumed.TryResume());

        Assert.Contains($"No checkpoint of the run '{run.Root}' can be loaded", error.Message);
        Assert.Contains($"Latest: Checkpoint '{run.LatestCheckpointPath}' is damaged", error.Message);
        Assert.Contains($"Previous: Checkpoint '{run.PreviousCheckpointPath}' is damaged", error.Message);
        Assert.True(File.Exists(run.LatestCheckpointPath) && File.Exists(run.PreviousCheckpointPath), "files left as they were");
        Assert.Equal(0, resumed.Step);
    }

    [Fact]
    public void ADamagedLatestWithoutPreviousIsAnErrorNotAFreshStart()
    {
        var run = TrainedRun(steps: 2);                                   // one checkpoint: no previous yet
        Assert.False(File.Exists(run.PreviousCheckpointPath));
        Corrupt(run.LatestCheckpointPath);
        using var initial = new UNet(TrainingFixtures.Config);
        using var resumed = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        var error = Assert.Throws<InvalidDataException>(() => resumed.TryResume());

        Assert.Contains("is damaged", error.Message);
        Assert.Contains($"There is no previous checkpoint '{run.PreviousCheckpointPath}' to fall back to", error.Message);
    }

    [Fact]
    public void ACheckpointOfAnotherConfigurationInTheRunIsRefusedWithTheDifference()
    {
        var run = TrainedRun(steps: 2);
        using var wider = new UNet(TrainingFixtures.Config with { BaseChannels = 12 });
        using var other = TrainingFixtures.Create(wider, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        var error = Assert.Throws<ArgumentException>(() => other.TryResume());

        Assert.Contains("checkpoint base channels 8, this model 12", error.Message);
        Assert.Equal(0, other.Step);
    }

    [Fact]
    public void AMissingLatestWithAPreviousResumesFromThePrevious()
    {
        var run = TrainedRun(steps: 4);
        File.Delete(run.LatestCheckpointPath);                            // e.g. stopped between the two renames
        var warnings = new List<string>();
        using var initial = new UNet(TrainingFixtures.Config);
        using var resumed = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        Assert.True(resumed.TryResume(warnings.Add));

        Assert.Equal(2, resumed.Step);
        Assert.Contains("the run has no latest checkpoint", Assert.Single(warnings));
    }

    // A run folder trained for the given steps with the fixtures' options (checkpoints and metrics every 2 steps).
    static RunDirectory TrainedRun(int steps)
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);
        trainer.Train(steps);
        return run;
    }

    static void Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    static long? StepIn(string path) => File.Exists(path) ? Checkpoint.ReadRecord(path).Step : null;
}
