using System.Text.RegularExpressions;
using SoftDiffusion.Training;
using Xunit.Abstractions;

namespace SoftDiffusion.Tests.Training;

/// <summary>tools/Train as a user runs it: Ctrl-C or SIGTERM stops it at a step boundary with that step's checkpoint,
/// kill -9 loses at most one checkpoint interval, and running the same command again resumes.</summary>
public sealed class TrainToolInterruptionTests(ITestOutputHelper output)
{
    const int Interval = 10;                                    // --checkpoint-every
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);   // a busy 2-core machine: start-up takes seconds to minutes

    [Theory]
    [InlineData(2, 130)]    // SIGINT, what Ctrl-C sends
    [InlineData(15, 143)]   // SIGTERM
    public void ASignalStopsAtAStepBoundaryWithItsCheckpointAndTheSameCommandResumes(int signal, int expectedExitCode)
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        long stoppedAt;
        using (var training = TrainToolProcess.Start(Arguments(run, steps: 100_000)))
        {
            training.WaitUntil(() => File.Exists(run.LatestCheckpointPath), Patience, "the first checkpoint");
            training.Signal(signal);
            Assert.Equal(expectedExitCode, training.WaitForExit(Patience));
            output.WriteLine(training.Output);
            var stopped = Regex.Match(training.Output, @"Stopped at step (\d+) on request");
            Assert.True(stopped.Success, $"Expected the stop message. Output:\n{training.Output}");
            stoppedAt = long.Parse(stopped.Groups[1].Value);
            Assert.Contains("stopping after the current step and writing its checkpoint", training.Output);
            Assert.Contains("Resume with: dotnet run -c Release --project tools/Train --", training.Output);
            Assert.Contains($"--steps {100_000 - stoppedAt}", training.Output);   // the rest of the run, not 100,000 more
        }
        Assert.Equal(stoppedAt, Checkpoint.ReadRecord(run.LatestCheckpointPath).Step);   // no step lost
        Assert.Equal(stoppedAt, run.ReadMetrics()[^1].Step);

        Resume(run, stoppedAt);
    }

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointLosingAtMostOneInterval()
    {
        var run = new RunDirectory(TrainingFixtures.TemporaryDirectory());
        using (var training = TrainToolProcess.Start(Arguments(run, steps: 100_000)))
        {
            training.WaitUntil(() => File.Exists(run.LatestCheckpointPath), Patience, "the first checkpoint");
            training.WaitUntil(() => LoggedSteps(run).LastOrDefault() >= Interval + 5, Patience, "a few steps past the first checkpoint");
            training.Signal(9);
            Assert.Equal(137, training.WaitForExit(Patience));
        }
        long saved = Checkpoint.ReadRecord(run.LatestCheckpointPath).Step;
        long logged = LoggedSteps(run).Last();
        output.WriteLine($"killed: last checkpoint at step {saved}, last metrics line at step {logged}");
        Assert.True(saved >= Interval && logged - saved <= Interval, $"checkpoint {saved}, metrics up to {logged}");

        Resume(run, saved);
        var steps = LoggedSteps(run);
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second), $"metrics steps not increasing: {string.Join(", ", steps)}");
    }

    // The same command with a few more steps: it resumes where the checkpoint says and ends normally.
    void Resume(RunDirectory run, long from)
    {
        using var again = TrainToolProcess.Start(Arguments(run, steps: 3));
        Assert.Equal(0, again.WaitForExit(Patience));
        output.WriteLine(again.Output);
        Assert.Contains($"resumed at step {from}", again.Output);
        Assert.Equal(from + 3, Checkpoint.ReadRecord(run.LatestCheckpointPath).Step);
        Assert.Equal(from + 3, run.ReadMetrics()[^1].Step);
    }

    static string Arguments(RunDirectory run, long steps) =>
        $"--profile smoke --run \"{run.Root}\" --steps {steps} --sample-every 0 --checkpoint-every {Interval} --checkpoint-minutes 0";

    // Steps of the complete lines of metrics.jsonl (a line cut by kill -9 is skipped).
    static List<long> LoggedSteps(RunDirectory run)
    {
        if (!File.Exists(run.MetricsPath)) return [];
        using var stream = new FileStream(run.MetricsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        return lines.Select(l => Regex.Match(l, @"^\{""step"":(\d+),.*\}$")).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToList();
    }
}
