using System.Diagnostics;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Trains phi_theta by minimising E_t E_x0 E_eta [loss(x0, t, eta)] (Soft Diffusion, Section 3.3, with the loss
/// object the caller gives): per step, a batch x_0, t ~ U[eps, 1] and eta ~ N(0, I) per example, the mean of the
/// per-sample loss, Adam with linear warm-up, gradient clipping by global norm, then an EMA update of the weights.
/// Training into a <see cref="RunDirectory"/> writes options, metrics and checkpoints (by steps, by wall time, at the
/// end and when stopped through a cancellation token; the previous checkpoint is kept), and resumes exactly.
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
    readonly Stopwatch sinceCheckpoint = Stopwatch.StartNew();
    long lastSavedStep = -1;

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
        if (run is not null) CheckResumableWith(run, options);
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

    // A run with a checkpoint resumes only with the settings it was trained with (a changed learning rate, decay length,
    // batch or seed would make the resumed run neither the old one nor a new one); log and checkpoint intervals may change.
    static void CheckResumableWith(RunDirectory run, TrainingOptions options)
    {
        bool hasCheckpoint = File.Exists(run.LatestCheckpointPath) || File.Exists(run.PreviousCheckpointPath);
        if (!hasCheckpoint || !File.Exists(run.OptionsPath)) return;
        if (options.TrajectoryDifference(run.ReadOptions().Training) is { } d)
            throw new ArgumentException(
                $"{run.Root} holds a run trained with other settings ({d.Name} {d.Theirs} there, {d.Ours} here). " +
                "Resume it with the settings it was started with (e.g. the same --total-steps, --seed and profile) or train into another folder.");
    }

    /// <summary>The fingerprint a checkpoint of this trainer carries: the network configuration and image shape.</summary>
    public IReadOnlyList<(string Name, string Value)> Fingerprint =>
        [.. network.Config.Describe(), ("image shape", string.Join("x", data.ImageShape))];

    /// <summary>Runs <paramref name="steps"/> more updates, or fewer when <paramref name="cancellation"/> is cancelled:
    /// the loop checks it between steps, so a step is never cut in half; when it stops early it writes the run's
    /// checkpoint of the last completed step (and its metrics line) before returning, so training the run again
    /// resumes from there (<see cref="TryResume"/>) with no step lost.</summary>
    /// <param name="steps">Number of updates.</param>
    /// <param name="onStep">Called after every update (e.g. to chart the loss or write a sample grid to
    /// <see cref="RunDirectory.SamplePath"/> every n steps).</param>
    /// <param name="cancellation">Stops the loop at the next step boundary (Ctrl-C, SIGTERM, a notebook's interrupt).</param>
    /// <returns>The number of updates done: <paramref name="steps"/>, or fewer when stopped by <paramref name="cancellation"/>.</returns>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite; that step made no update.</exception>
    public long Train(long steps, Action<TrainingStepReport>? onStep = null, CancellationToken cancellation = default)
    {
        using var batches = new ShuffledBatches(data, Options.BatchSize, Options.Seed, Position);
        var log = new MetricsAccumulator(Options.BatchSize);
        long done = 0;
        while (done < steps && !cancellation.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            TrainingStepReport report;
            using (var x0 = batches.Next()) report = TrainStep(x0, clock);
            Position = batches.Position;
            done++;
            onStep?.Invoke(report);
            WriteRunFiles(report, log, isLast: done == steps || cancellation.IsCancellationRequested);
        }
        return done;
    }

    /// <summary>Writes a checkpoint of the current state to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path) => AtomicFile.Write(path, WriteCheckpoint);

    /// <summary>Writes a checkpoint of the current state to <paramref name="stream"/>, front to back (the content of
    /// a checkpoint file, see <see cref="Checkpoint"/>).</summary>
    public void WriteCheckpoint(Stream stream) => CurrentCheckpoint().WriteTo(stream, network, ema.Average, optimizer);

    /// <summary>Restores the state saved by <see cref="SaveCheckpoint"/>; training then continues exactly.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or it is truncated or corrupted.</exception>
    /// <exception cref="ArgumentException">The checkpoint belongs to another configuration (the message names it).</exception>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Read(path, Fingerprint, network, ema.Average, optimizer);
        (Step, Position) = (checkpoint.Step, checkpoint.Position);
        Checkpoint.Restore(generator, checkpoint.GeneratorState);
        Checkpoint.Restore(Generator.Default, checkpoint.DefaultGeneratorState);
        normaliser?.Restore(checkpoint.LossNormaliserState);
        lastSavedStep = Step;
    }

    /// <summary>Loads the run directory's latest checkpoint if there is one. When the latest cannot be loaded
    /// (truncated, corrupted, another configuration) and the previous checkpoint can, the run resumes from the
    /// previous one, the damaged latest is moved aside (never silently overwritten) and <paramref name="warn"/> is told
    /// why. Lines of metrics.jsonl after the resumed step (written before a kill) are removed.</summary>
    /// <param name="warn">Receives the message when a fallback happened; default: standard error.</param>
    /// <returns>Whether a checkpoint was loaded.</returns>
    /// <exception cref="InvalidDataException">No checkpoint of the run can be loaded; the message names each file and why.</exception>
    /// <exception cref="ArgumentException">The same, when the latest checkpoint belongs to another configuration.</exception>
    public bool TryResume(Action<string>? warn = null)
    {
        if (run is null) return false;
        bool hasLatest = File.Exists(run.LatestCheckpointPath), hasPrevious = File.Exists(run.PreviousCheckpointPath);
        if (!hasLatest && !hasPrevious) return false;
        var latestError = hasLatest ? TryLoad(run.LatestCheckpointPath) : null;
        if (hasLatest && latestError is null) { run.TrimMetricsAfter(Step); return true; }
        var previousError = hasPrevious ? TryLoad(run.PreviousCheckpointPath) : null;
        if (!hasPrevious) throw NoCheckpointLoads(latestError, null);
        if (previousError is not null) throw NoCheckpointLoads(latestError, previousError);
        (warn ?? Console.Error.WriteLine)(FallbackMessage(run, latestError));
        run.TrimMetricsAfter(Step);
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

    // The checkpoint of a load failure, or null when it loaded; failures that mean "not this file" are caught.
    Exception? TryLoad(string path)
    {
        try
        {
            LoadCheckpoint(path);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException) { return e; }
    }

    // Says why the previous checkpoint was loaded; a latest that failed to load is moved aside first.
    string FallbackMessage(RunDirectory run, Exception? latestError)
    {
        string resumed = $"resumed from the previous checkpoint '{run.PreviousCheckpointPath}' at step {Step} instead";
        if (latestError is null)
            return $"Warning: the run has no latest checkpoint '{run.LatestCheckpointPath}' (stopped while replacing it?); {resumed}.";
        string kept = run.SetAside(run.LatestCheckpointPath);
        return $"Warning: the latest checkpoint could not be loaded: {latestError.Message} The run {resumed}; the file that failed is kept as '{kept}'.";
    }

    // Both checkpoints failed (or the latest failed and there is no previous one): the error names each file and why,
    // an ArgumentException when the first failure is another configuration, else InvalidDataException.
    Exception NoCheckpointLoads(Exception? latestError, Exception? previousError)
    {
        string message = $"No checkpoint of the run '{run!.Root}' can be loaded. " +
            (latestError is null ? "There is no latest checkpoint. " : $"Latest: {latestError.Message} ") +
            (previousError is null ? $"There is no previous checkpoint '{run.PreviousCheckpointPath}' to fall back to. " : $"Previous: {previousError.Message} ") +
            "Open the folder with the configuration it was written for, or move the checkpoints away to start the run again from step 0.";
        var first = (latestError ?? previousError)!;
        return first is ArgumentException ? new ArgumentException(message, first) : new InvalidDataException(message, first);
    }

    Checkpoint CurrentCheckpoint() =>
        new(Fingerprint, Step, Position, Checkpoint.StateOf(generator), Checkpoint.StateOf(Generator.Default), normaliser?.State ?? []);

    // Metrics every LogEvery steps; the checkpoint every CheckpointEvery steps, every CheckpointMinutes of wall time
    // and at the last step, keeping the one before as previous.ckpt.
    void WriteRunFiles(TrainingStepReport report, MetricsAccumulator log, bool isLast)
    {
        if (run is null) return;
        log.Add(report);
        if (report.Step % Options.LogEvery == 0 || isLast) run.AppendMetrics(log.Flush(report));
        bool stepsDue = Options.CheckpointEvery > 0 && report.Step % Options.CheckpointEvery == 0;
        bool timeDue = Options.CheckpointMinutes > 0 && sinceCheckpoint.Elapsed.TotalMinutes >= Options.CheckpointMinutes;
        if ((stepsDue || timeDue || isLast) && Step != lastSavedStep) SaveRunCheckpoint(run);
    }

    void SaveRunCheckpoint(RunDirectory run)
    {
        AtomicFile.Write(run.LatestCheckpointPath, WriteCheckpoint, keepPreviousAs: run.PreviousCheckpointPath);
        lastSavedStep = Step;
        sinceCheckpoint.Restart();
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
