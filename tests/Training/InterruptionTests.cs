using SoftDiffusion.Models;
using SoftDiffusion.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

/// <summary>Stopping a run through its cancellation token (Ctrl-C, SIGTERM, a notebook's interrupt) writes the
/// checkpoint of the last completed step, and resuming from it continues exactly.</summary>
[Collection(nameof(DefaultGeneratorCollection))]
public sealed class InterruptionTests(ITestOutputHelper output)
{
    const int Steps = 7;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // the study's switches: loss normalised per t, cosine decay, EMA half-life
    public void InterruptingAtARandomStepAndResumingMatchesAnUninterruptedRun(bool studySwitches)
    {
        int stopAt = Random.Shared.Next(1, Steps);   // 1 .. Steps - 1: at least one step on each side
        output.WriteLine($"interrupted after step {stopAt} of {Steps}");
        var data = TrainingFixtures.Images(12);       // 3 batches per epoch: the run crosses epoch boundaries
        var options = TrainingFixtures.Options with { GradientClipNorm = 0.05, EmaDecay = 0.5, CheckpointEvery = 0, CheckpointMinutes = 0 };
        if (studySwitches) options = options with { NormaliseLossPerTime = true, DecaySteps = Steps, EmaHalfLife = 2 };
        string folder = TrainingFixtures.TemporaryDirectory();
        using var initial = new UNet(TrainingFixtures.Config);
        var defaultState = Checkpoint.StateOf(Generator.Default);

        var straightLosses = new List<double>();
        using var straight = TrainingFixtures.Create(initial, data, options);
        Checkpoint.Restore(Generator.Default, defaultState);
        straight.Train(Steps, r => straightLosses.Add(r.Loss));
        string straightState = Path.Combine(folder, "straight.ckpt");
        straight.SaveCheckpoint(straightState);          // now, before other runs move torch's default generator

        var run = new RunDirectory(Path.Combine(folder, "run"));
        var losses = new List<double>();
        using var stop = new CancellationTokenSource();
        using (var first = TrainingFixtures.Create(initial, data, options, run))
        {
            Checkpoint.Restore(Generator.Default, defaultState);
            long done = first.Train(Steps, r => { losses.Add(r.Loss); if (r.Step == stopAt) stop.Cancel(); }, stop.Token);
            Assert.Equal(stopAt, done);
        }
        Assert.Equal(stopAt, Checkpoint.ReadRecord(run.LatestCheckpointPath).Step);   // the step it stopped at, saved
        Generator.Default.manual_seed(12345);   // the checkpoint must restore the dropout generator
        using var resumed = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, options, run);
        Assert.True(resumed.TryResume());
        Assert.Equal(Steps - stopAt, resumed.Train(Steps - stopAt, r => losses.Add(r.Loss)));
        string resumedState = Path.Combine(folder, "resumed.ckpt");
        resumed.SaveCheckpoint(resumedState);

        Assert.Equal(straightLosses, losses);                                       // the loss curve, bitwise
        Assert.True(TrainingFixtures.SameWeights(straight.Network, resumed.Network), "weights differ");
        Assert.True(TrainingFixtures.SameWeights(straight.EmaNetwork, resumed.EmaNetwork), "EMA weights differ");
        // The whole state, bit for bit: weights, EMA, Adam's moments and step counts, generators, data position.
        Assert.Equal(File.ReadAllBytes(straightState), File.ReadAllBytes(resumedState));
    }

    [Fact]
    public void ATokenCancelledBeforeTrainingRunsNoStepAndWritesNoCheckpoint()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options, run);

        long done = trainer.Train(5, cancellation: new CancellationToken(canceled: true));

        Assert.Equal(0, done);
        Assert.Equal(0, trainer.Step);
        Assert.False(File.Exists(run.LatestCheckpointPath));
    }

    [Fact]
    public void AStoppedRunWritesTheMetricsLineOfItsLastStep()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        using var initial = new UNet(TrainingFixtures.Config);
        var options = TrainingFixtures.Options with { LogEvery = 10, CheckpointEvery = 0, CheckpointMinutes = 0 };
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), options, run);
        using var stop = new CancellationTokenSource();

        trainer.Train(10, r => { if (r.Step == 3) stop.Cancel(); }, stop.Token);

        Assert.Equal(new long[] { 3 }, run.ReadMetrics().Select(m => m.Step));   // no line was due before step 10
        Assert.Equal(3, Checkpoint.ReadRecord(run.LatestCheckpointPath).Step);
    }
}
