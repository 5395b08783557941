using System.Diagnostics;
using SoftDiffusion.Corruptions;
using SoftDiffusion.Data;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Training;
using SoftDiffusion.Workbook;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>
/// What a Trainer step costs beyond forward + backward + Adam: the trainer (data batch, t and eta, C_t twice in
/// the Soft Score Matching loss, the finiteness check, gradient clipping, EMA, the per-step report) against a bare
/// loop of forward, an MSE, backward and an Adam step on a batch of the same shape, with the same network; and the
/// resident memory every <c>memoryEvery</c> steps of each loop (a leak would show as steady growth).
/// </summary>
static class TrainingBenchmarks
{
    const int WarmupSteps = 5;   // left out of the mean step time (first allocations, thread pools)

    public static void Overhead(Profile profile, int steps, int memoryEvery)
    {
        Console.WriteLine($"Training step of the {profile.Name} profile's U-Net, batch {profile.Training.BatchSize}, {steps} steps per loop (timing skips the first {WarmupSteps}):");
        double trainer = TrainerLoop(profile, steps, memoryEvery);
        double bare = BareLoop(profile, steps, memoryEvery);
        Timing.Report("Trainer step (mean)", trainer, $"{profile.Training.BatchSize * 1000 / trainer:F1} images/s");
        Timing.Report("bare forward + backward + Adam step (mean)", bare, $"{profile.Training.BatchSize * 1000 / bare:F1} images/s");
        Console.WriteLine($"  => {100 * (trainer - bare) / trainer:F1}% of the trainer's step is outside forward/backward/optimizer");
    }

    // Mean milliseconds per Trainer step after the warm-up steps, on the embedded Fashion-MNIST images.
    static double TrainerLoop(Profile profile, int steps, int memoryEvery)
    {
        using var images = FashionMnist.Load(FashionMnistSplit.Test).Images();
        using var network = new UNet(profile.Network);
        var process = new CorruptionProcess(new BlurCorruption(BlurSchedule.LogSpaced(height: FashionMnist.Size)), new GeometricNoiseSchedule());
        using var trainer = new Trainer(network, new ResidualDenoiser(network), new SoftScoreMatchingLoss(process),
            new TensorImageDataset(images), profile.Training);
        var clock = new StepClock("Trainer", memoryEvery);
        trainer.Train(steps, report => clock.Tick(report.Step));
        return clock.MeanMilliseconds;
    }

    // Mean milliseconds per bare step: zero_grad, MSE of the network output, backward, Adam.
    static double BareLoop(Profile profile, int steps, int memoryEvery)
    {
        using var network = new UNet(profile.Network);
        network.train();
        using var optimizer = optim.Adam(network.parameters(), profile.Training.LearningRate);
        long[] shape = [profile.Training.BatchSize, profile.Network.ImageChannels, FashionMnist.Size, FashionMnist.Size];
        using var x = randn(shape, generator: new Generator(5));
        using var t = rand([shape[0]], generator: new Generator(6));
        using var target = randn(shape, generator: new Generator(7));
        var clock = new StepClock("bare loop", memoryEvery);
        for (int step = 1; step <= steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = (network.forward(x, t) - target).square().mean();
                loss.backward();
                optimizer.step();
            }
            clock.Tick(step);
        }
        return clock.MeanMilliseconds;
    }

    // Wall time of the steps after the warm-up, and the resident memory every memoryEvery steps.
    sealed class StepClock(string name, int memoryEvery)
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        TimeSpan warmupEnd;
        long timedSteps;

        public double MeanMilliseconds => (clock.Elapsed - warmupEnd).TotalMilliseconds / timedSteps;

        public void Tick(long step)
        {
            if (step == WarmupSteps) warmupEnd = clock.Elapsed;
            else if (step > WarmupSteps) timedSteps++;
            if (step % memoryEvery == 0)
                Console.WriteLine($"  {name} step {step,6}: resident memory {Environment.WorkingSet / (1 << 20),6} MB, {clock.Elapsed.TotalSeconds,7:F1} s");
        }
    }
}
