using System.Diagnostics;
using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using SoftDiffusion.Workbook;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>
/// What a Trainer step costs beyond forward + backward + Adam: the profile's blur run (data batch with prefetch, t and
/// eta, C_t twice in the Soft Score Matching loss, the finiteness check, gradient clipping, EMA, the per-step report,
/// metrics lines) against a bare loop of forward, an MSE, backward and an Adam step on a batch of the same shape with
/// a network of the same configuration. The two run in alternating blocks of <see cref="Block"/> steps, so a machine
/// that is busy with other work slows both alike; the resident memory is printed every <c>memoryEvery</c> trainer
/// steps (a leak shows as steady growth).
/// </summary>
static class TrainingBenchmarks
{
    const int Block = 10;          // steps per block of each loop
    const int WarmupBlocks = 1;    // left out of the means (first allocations, thread pools)

    public static void Overhead(Profile profile, int steps, int memoryEvery)
    {
        int batch = profile.Training.BatchSize;
        Console.WriteLine($"Training step of the {profile.Name} profile's blur run, batch {batch}, {steps} steps per loop in alternating blocks of {Block} (the first block of each is not timed):");
        string runFolder = Path.Combine(Path.GetTempPath(), $"bench-training-{Guid.NewGuid():N}");
        try
        {
            using var training = ProfileTraining.Open(profile, runFolder, TrainingSet.FashionMnist(FashionMnist.Load(FashionMnistSplit.Test), profile.TrainingImages), sampleEvery: 0,
                totalSteps: steps);
            using var bare = new BareLoop(profile);
            double trainerSeconds = 0, bareSeconds = 0;
            long timedSteps = 0, startMemory = 0, peakMemory = 0;
            var clock = Stopwatch.StartNew();
            // One Train call (as in a real run: one checkpoint at the end); at every block boundary the callback times
            // the trainer's block, then runs and times a block of the bare loop, then restarts the trainer's clock.
            training.Train(steps, report =>
            {
                if (report.Step % Block != 0) return;
                double trainer = clock.Elapsed.TotalSeconds;
                var bareClock = Stopwatch.StartNew();
                bare.Run(Block);
                double plain = bareClock.Elapsed.TotalSeconds;
                long memory = Environment.WorkingSet >> 20;
                long block = report.Step / Block - 1;
                if (block >= WarmupBlocks) (trainerSeconds, bareSeconds, timedSteps) = (trainerSeconds + trainer, bareSeconds + plain, timedSteps + Block);
                if (block == WarmupBlocks) startMemory = memory;
                peakMemory = Math.Max(peakMemory, memory);
                if (report.Step % memoryEvery == 0)
                    Console.WriteLine($"  step {report.Step,6}: resident memory {memory,6} MB; this block {1000 * trainer / Block,7:F0} ms per trainer step, {1000 * plain / Block,7:F0} ms per bare step");
                clock.Restart();
            });
            double trainerMs = 1000 * trainerSeconds / timedSteps, bareMs = 1000 * bareSeconds / timedSteps;
            Timing.Report("Trainer step (mean)", trainerMs, $"{batch * 1000 / trainerMs:F1} images/s");
            Timing.Report("bare forward + backward + Adam step (mean)", bareMs, $"{batch * 1000 / bareMs:F1} images/s");
            Console.WriteLine($"  => {100 * (trainerMs - bareMs) / trainerMs:F1}% of the trainer's step is outside forward/backward/optimizer");
            Console.WriteLine($"  => resident memory {startMemory} MB after the first block, {Environment.WorkingSet >> 20} MB at the end, peak {peakMemory} MB");
        }
        finally
        {
            if (Directory.Exists(runFolder)) Directory.Delete(runFolder, recursive: true);
        }
    }
}
