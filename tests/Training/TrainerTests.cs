using SoftDiffusion.Corruptions;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

/// <summary>Trainer tests that depend on torch's default generator (dropout) run alone, so no other test draws from it
/// in between.</summary>
[CollectionDefinition(nameof(DefaultGeneratorCollection), DisableParallelization = true)]
public sealed class DefaultGeneratorCollection;

[Collection(nameof(DefaultGeneratorCollection))]
public sealed class TrainerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // the study's switches: loss normalised per t (state in the checkpoint), cosine decay, EMA half-life
    public void ResumingFromACheckpointContinuesExactly(bool studySwitches)
    {
        var data = TrainingFixtures.Images(12);   // 3 batches per epoch: 6 steps cross two epoch boundaries
        var options = TrainingFixtures.Options with { GradientClipNorm = 0.05, EmaDecay = 0.5 };   // clipping and EMA active
        if (studySwitches) options = options with { NormaliseLossPerTime = true, DecaySteps = 6, EmaHalfLife = 2 };
        string path = Path.Combine(TrainingFixtures.TemporaryDirectory(), "half.ckpt");
        using var initial = new UNet(TrainingFixtures.Config);
        var defaultState = Checkpoint.StateOf(Generator.Default);

        using var straight = TrainingFixtures.Create(initial, data, options);
        var straightLosses = new List<double>();
        Checkpoint.Restore(Generator.Default, defaultState);
        straight.Train(6, r => straightLosses.Add(r.Loss));

        var splitLosses = new List<double>();
        using (var firstHalf = TrainingFixtures.Create(initial, data, options))
        {
            Checkpoint.Restore(Generator.Default, defaultState);
            firstHalf.Train(3, r => splitLosses.Add(r.Loss));
            firstHalf.SaveCheckpoint(path);
        }
        Generator.Default.manual_seed(12345);   // the checkpoint must restore the dropout generator
        using var secondHalf = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, options);
        secondHalf.LoadCheckpoint(path);
        secondHalf.Train(3, r => splitLosses.Add(r.Loss));

        Assert.Equal(straightLosses, splitLosses);   // bitwise: same operations in the same order on the CPU
        Assert.Equal(straight.Position, secondHalf.Position);
        Assert.True(TrainingFixtures.SameWeights(straight.Network, secondHalf.Network));
        Assert.True(TrainingFixtures.SameWeights(straight.EmaNetwork, secondHalf.EmaNetwork));
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        var data = TrainingFixtures.Images(8);
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options, run, new MseStandInLoss(nanFromCall: 5));

        var error = Assert.Throws<NonFiniteLossException>(() => trainer.Train(10));

        Assert.Equal(5, error.Step);
        Assert.True(double.IsNaN(error.Loss));
        Assert.Contains("step 5", error.Message);
        Assert.Equal(4, trainer.Step);                                    // step 5 made no update
        Assert.All(trainer.Network.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        using var check = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, TrainingFixtures.Options);
        check.LoadCheckpoint(run.LatestCheckpointPath);
        Assert.Equal(4, check.Step);                                      // checkpoints every 2 steps: 2, 4
        Assert.True(TrainingFixtures.SameWeights(trainer.Network, check.Network));
    }

    [Fact]
    public void TheLossDecreasesOnATinySyntheticTask()
    {
        var data = TrainingFixtures.Images(64);
        using var initial = new UNet(UNetConfig.Tiny(1));
        var options = TrainingFixtures.Options with { LearningRate = 2e-3, WarmupSteps = 5, BatchSize = 16 };
        using var trainer = TrainingFixtures.Create(initial, data, options);
        var loss = new MseStandInLoss();
        double Evaluate()
        {
            // A fixed evaluation batch with fixed t and eta, so the comparison has no sampling noise.
            using var scope = NewDisposeScope();
            using var g = new Generator(99);
            var x0 = data.Images(Enumerable.Range(0, 32).Select(i => (long)i).ToArray());
            var t = rand([32], generator: g);
            var eta = randn(x0.shape, generator: g);
            using var noGrad = no_grad();
            return loss.PerSample(new ResidualDenoiser(trainer.Network), x0, t, eta).mean().item<float>();
        }

        double before = Evaluate();
        trainer.Train(40);
        double after = Evaluate();
        output.WriteLine($"evaluation loss before {before:F4}, after 40 steps {after:F4}");

        // At the start x0_hat = x_t, so the loss is E[sigma_t^2] ~ 0.37; a denoiser of these smooth ramps removes
        // most of the noise. Seeded: the margin is large, not tuned to a lucky run.
        Assert.True(after < 0.5 * before, $"loss before {before:F4}, after {after:F4}");
    }

    [Fact]
    public void TrainingIntoARunDirectoryWritesOptionsMetricsAndACheckpoint()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        var data = TrainingFixtures.Images(8);
        using var initial = new UNet(TrainingFixtures.Config);
        var options = TrainingFixtures.Options with { LogEvery = 2, CheckpointEvery = 0 };
        var reports = new List<TrainingStepReport>();
        using (var trainer = TrainingFixtures.Create(initial, data, options, run))
            trainer.Train(5, reports.Add);

        var saved = run.ReadOptions();
        Assert.Equal(options, saved.Training);
        Assert.Equal(TrainingFixtures.Config, saved.Model);
        Assert.Equal(new long[] { 1, 8, 8 }, saved.ImageShape);
        var metrics = run.ReadMetrics();
        Assert.Equal(new long[] { 2, 4, 5 }, metrics.Select(m => m.Step));   // every 2 steps and the last
        Assert.Equal((reports[0].Loss + reports[1].Loss) / 2, metrics[0].Loss, 1e-12);
        Assert.Equal(reports[4].LearningRate, metrics[2].LearningRate);
        Assert.All(metrics, m => Assert.True(m.ImagesPerSecond > 0 && m.WallSeconds > 0));
        // The working set of this test process: at least the loaded libtorch (> 50 MB), far below 100 GB.
        Assert.All(metrics, m => Assert.InRange(m.ResidentMegabytes!.Value, 50, 100_000));
        Assert.All(reports, r => Assert.Equal(4, r.Times.Length));
        Assert.All(reports.SelectMany(r => r.Times), t => Assert.InRange(t, 1e-5f, 1f));

        using var resumed = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, options, run);
        Assert.True(resumed.TryResume());
        Assert.Equal(5, resumed.Step);   // the final checkpoint is written even with CheckpointEvery = 0
    }

    [Fact]
    public void ARunResumesWithNewIntervalsButNotWithSettingsThatChangeItsTrajectory()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        var data = TrainingFixtures.Images(8);
        var options = TrainingFixtures.Options with { CheckpointEvery = 0, DecaySteps = 6 };
        using (var trainer = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, options, run))
            trainer.Train(2);

        foreach (var (changed, expected) in new[]
        {
            (options with { DecaySteps = 9 }, "(DecaySteps 6 there, 9 here)"),
            (options with { LearningRate = options.LearningRate * 2 }, $"(LearningRate {options.LearningRate} there, {options.LearningRate * 2} here)"),
            (options with { Seed = 8 }, "(Seed 7 there, 8 here)"),
            (options with { NormaliseLossPerTime = true }, "(NormaliseLossPerTime False there, True here)"),
        })
        {
            var e = Assert.Throws<ArgumentException>(() => TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, changed, run));
            Assert.Contains($"{run.Root} holds a run trained with other settings {expected}", e.Message);
            Assert.Equal(options, run.ReadOptions().Training);   // the refused settings are not written over the run's
        }
        var intervals = options with { LogEvery = 3, CheckpointEvery = 5, CheckpointMinutes = 1 };
        using var resumed = TrainingFixtures.Create(new UNet(TrainingFixtures.Config), data, intervals, run);
        Assert.True(resumed.TryResume());
        Assert.Equal(2, resumed.Step);
        Assert.Null(options.TrajectoryDifference(intervals));
    }

    [Fact]
    public void TrainsWithSoftScoreMatchingOnBlur()
    {
        var data = TrainingFixtures.Images(8);
        var process = new CorruptionProcess(new BlurCorruption(BlurSchedule.LogSpaced(8)), new GeometricNoiseSchedule());
        using var initial = new UNet(UNetConfig.Tiny(1));
        using var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options, loss: new SoftScoreMatchingLoss(process));
        var reports = new List<TrainingStepReport>();

        trainer.Train(3, reports.Add);

        Assert.Equal(new long[] { 1, 2, 3 }, reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0));
        // The reported loss is the mean of the reported per-sample losses (float32 mean of 4 values).
        Assert.All(reports, r => Assert.Equal(r.PerSampleLoss.Average(), r.Loss, 1e-6 * r.Loss));
        Assert.False(TrainingFixtures.SameWeights(initial, trainer.Network));
    }
}
