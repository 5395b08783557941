using System.Diagnostics;
using SoftDiffusion.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Trains phi_theta by minimising E_t E_x0 E_eta [loss(x0, t, eta)] (Soft Diffusion, Section 3.3, with the loss
/// object the caller gives): per step, a batch x_0, t ~ U[eps, 1] and eta ~ N(0, I) per example, the mean of the
/// per-sample loss, Adam with linear warm-up, gradient clipping by global norm, then an EMA update of the weights.
/// Training into a <see cref="RunDirectory"/> writes options, metrics and checkpoints, and resumes exactly.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly UNet network;
    readonly IDenoiser denoiser;
    readonly ITrainingLoss loss;
    readonly IImageDataset data;
    readonly RunDirectory? run;
    readonly Adam optimizer;
    readonly LearningRateSchedule schedule;
    readonly ExponentialMovingAverage ema;
    readonly Generator generator;
    readonly TimeBinnedLossNormaliser? normaliser;
    readonly Device device;

    /// <summary>The settings.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Number of updates done.</summary>
    public long Step { get; private set; }

    /// <summary>Position of the next training batch.</summary>
    public DataPosition Position { get; private set; }

    /// <summary>The trained network phi_theta.</summary>
    public UNet Network => network;

    /// <summary>The EMA copy of the network (sample from this).</summary>
    public UNet EmaNetwork => (UNet)ema.Average;

    /// <param name="network">phi_theta, on the device to train on; its current weights are the start.</param>
    /// <param name="denoiser">The denoiser the loss evaluates, built on <paramref name="network"/> (e.g. x0_hat = phi + x_t).</param>
    /// <param name="loss">The per-sample objective.</param>
    /// <param name="data">Training images; their shape must fit the network.</param>
    /// <param name="options">Settings; validated.</param>
    /// <param name="run">Where to write options.json, metrics.jsonl and checkpoints; null writes nothing.</param>
    public Trainer(UNet network, IDenoiser denoiser, ITrainingLoss loss, IImageDataset data, TrainingOptions options, RunDirectory? run = null)
    {
        options.Validate();
        if (data.ImageShape.Length != 3 || data.ImageShape[0] != network.Config.ImageChannels)
            throw new ArgumentException($"Expected images [{network.Config.ImageChannels}, H, W] for this network, got [{string.Join(", ", data.ImageShape)}].", nameof(data));
        (this.network, this.denoiser, this.loss, this.data, this.run, Options) = (network, denoiser, loss, data, run, options);
        device = network.parameters().First().device;
        optimizer = optim.Adam(network.parameters(), options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon);
        schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.DecaySteps);
        var average = new UNet(network.Config);
        average.to(device);
        ema = new ExponentialMovingAverage(network, average, options.EffectiveEmaDecay);
        generator = new Generator(unchecked((ulong)options.Seed ^ 0x5DEECE66DUL));
        normaliser = options.NormaliseLossPerTime ? new TimeBinnedLossNormaliser() : null;
        run?.WriteOptions(new RunOptions(options, network.Config, data.ImageShape));
    }

    /// <summary>The fingerprint a checkpoint of this trainer carries: the network configuration and image shape.</summary>
    public IReadOnlyList<(string Name, string Value)> Fingerprint =>
        [.. network.Config.Describe(), ("image shape", string.Join("x", data.ImageShape))];

    /// <summary>Runs <paramref name="steps"/> more updates.</summary>
    /// <param name="steps">Number of updates.</param>
    /// <param name="onStep">Called after every update (e.g. to chart the loss or write a sample grid to
    /// <see cref="RunDirectory.SamplePath"/> every n steps).</param>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite; that step made no update.</exception>
    public void Train(long steps, Action<TrainingStepReport>? onStep = null)
    {
        using var batches = new ShuffledBatches(data, Options.BatchSize, Options.Seed, Position);
        var log = new MetricsAccumulator(Options.BatchSize);
        for (long i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            TrainingStepReport report;
            using (var x0 = batches.Next()) report = TrainStep(x0, clock);
            Position = batches.Position;
            onStep?.Invoke(report);
            WriteRunFiles(report, log, isLast: i == steps - 1);
        }
    }

    /// <summary>Writes a checkpoint of the current state to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path) =>
        new Checkpoint(Fingerprint, Step, Position, Checkpoint.StateOf(generator), Checkpoint.StateOf(Generator.Default), normaliser?.State ?? [])
            .Write(path, network, ema.Average, optimizer);

    /// <summary>Restores the state saved by <see cref="SaveCheckpoint"/>; training then continues exactly.</summary>
    /// <exception cref="ArgumentException">The checkpoint belongs to another configuration (the message names it).</exception>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Read(path, Fingerprint, network, ema.Average, optimizer);
        (Step, Position) = (checkpoint.Step, checkpoint.Position);
        Checkpoint.Restore(generator, checkpoint.GeneratorState);
        Checkpoint.Restore(Generator.Default, checkpoint.DefaultGeneratorState);
        normaliser?.Restore(checkpoint.LossNormaliserState);
    }

    /// <summary>Loads the run directory's latest checkpoint if there is one.</summary>
    /// <returns>Whether a checkpoint was loaded.</returns>
    public bool TryResume()
    {
        if (run is null || !File.Exists(run.LatestCheckpointPath)) return false;
        LoadCheckpoint(run.LatestCheckpointPath);
        return true;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        generator.Dispose();
        ema.Average.Dispose();
    }

    // One update: loss on (x0, t, eta), check it is finite, backward, clip, Adam step with the warm-up rate, EMA.
    TrainingStepReport TrainStep(Tensor batch, Stopwatch clock)
    {
        using var scope = NewDisposeScope();
        network.train();
        long step = Step + 1;
        double learningRate = schedule.At(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        var x0 = batch.to(device);
        var (t, eta) = DrawTimesAndNoise(x0.shape);
        var perSample = loss.PerSample(denoiser, x0, t, eta);
        double value = perSample.mean().item<float>();
        if (!double.IsFinite(value)) throw new NonFiniteLossException(step, value);
        var objective = normaliser is null ? perSample.mean() : normaliser.Normalise(perSample, t).mean();
        optimizer.zero_grad();
        objective.backward();
        double gradientNorm = Options.GradientClipNorm > 0 ? GradientClipping.ClipByGlobalNorm(network.parameters(), Options.GradientClipNorm) : double.NaN;
        optimizer.step();
        ema.Update(step);
        Step = step;
        return new TrainingStepReport(step, value, t.cpu().data<float>().ToArray(), perSample.detach().cpu().data<float>().ToArray(),
            learningRate, gradientNorm, x0.shape[0] / clock.Elapsed.TotalSeconds);
    }

    // t ~ U[eps, 1] and eta ~ N(0, I) per example, from the trainer's generator (on the CPU, so runs reproduce
    // across devices), then moved to the training device.
    (Tensor T, Tensor Eta) DrawTimesAndNoise(long[] shape)
    {
        var u = rand([shape[0]], generator: generator);
        var t = Options.TimeEpsilon + (1 - Options.TimeEpsilon) * u;
        var eta = randn(shape, generator: generator);
        return (t.to(device), eta.to(device));
    }

    void WriteRunFiles(TrainingStepReport report, MetricsAccumulator log, bool isLast)
    {
        if (run is null) return;
        log.Add(report);
        if (report.Step % Options.LogEvery == 0 || isLast) run.AppendMetrics(log.Flush(report));
        bool checkpointDue = Options.CheckpointEvery > 0 && report.Step % Options.CheckpointEvery == 0;
        if (checkpointDue || isLast) SaveCheckpoint(run.LatestCheckpointPath);
    }

    // Averages of the steps since the last metrics line.
    sealed class MetricsAccumulator(int batchSize)
    {
        readonly Stopwatch session = Stopwatch.StartNew();
        double lossSum, secondsAtFlush;
        int count;

        public void Add(TrainingStepReport report) => (lossSum, count) = (lossSum + report.Loss, count + 1);

        public MetricsRecord Flush(TrainingStepReport last)
        {
            double now = session.Elapsed.TotalSeconds;
            var record = new MetricsRecord(last.Step, lossSum / count, last.LearningRate,
                count * batchSize / (now - secondsAtFlush), now, last.GradientNorm, Environment.WorkingSet / (1024.0 * 1024.0));
            (lossSum, count, secondsAtFlush) = (0, 0, now);
            return record;
        }
    }
}
