using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Sampling;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// A trained denoiser with what its samplers need: its <see cref="Experiment"/> (the recipe's C_t, sigma_t and p_1),
/// the EMA network and the denoiser built on it, the training step, and a folder for its cached scores. Made from a training run
/// (<see cref="ProfileTraining.Model"/>) or from a shipped weights file (<see cref="ShippedModel.Load"/>);
/// notebooks 05-07 and the scorer sample through it whichever it is.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    readonly Func<Tensor>? trainingImages;
    readonly IDisposable[] owned;
    Tensor? startImages;
    DctGaussianMixtureStart? mixture;
    DctFullGaussianStart? gaussian;

    /// <summary>The recipe's C_t, sigma_t and p_1 the network was trained with.</summary>
    public Experiment Experiment { get; }

    /// <summary>What was trained: corruption, noise, loss, denoiser.</summary>
    public TrainingRecipe Recipe => Experiment.Recipe;

    /// <summary>C_t.</summary>
    public ICorruption Corruption => Experiment.Corruption;

    /// <summary>sigma_t.</summary>
    public INoiseSchedule Noise => Experiment.Noise;

    /// <summary>The fitted p_1 (<see cref="StartKind.Fitted"/>).</summary>
    public IStartDistribution Start => Experiment.Start;

    /// <summary>The EMA network phi.</summary>
    public UNet Network { get; }

    /// <summary>x0_hat = h(x_t, t) on <see cref="Network"/>.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>Training updates behind the weights.</summary>
    public long Step { get; }

    /// <summary>What it was trained on, e.g. "Fashion-MNIST train split".</summary>
    public string DataLabel { get; }

    /// <summary>Where its scores are cached (created on first use).</summary>
    public string ScoresFolder { get; }

    /// <param name="experiment">C_t as trained (blur levels as selected then), sigma_t and p_1.</param>
    /// <param name="network">The EMA network.</param>
    /// <param name="step">Training updates behind the weights.</param>
    /// <param name="dataLabel">The training data, in words.</param>
    /// <param name="scoresFolder">Where scores are cached.</param>
    /// <param name="trainingImages">Training images [N, C, H, W] for <see cref="StartKind.TrainingImages"/> (made on first
    /// use, disposed with the model); null when there are none.</param>
    /// <param name="owned">Parts this model disposes (the network and the experiment of a loaded file; none for a run's view).</param>
    public TrainedModel(Experiment experiment, UNet network, long step, string dataLabel, string scoresFolder,
        Func<Tensor>? trainingImages = null, params IDisposable[] owned)
    {
        (Experiment, Network, Step, DataLabel, ScoresFolder) = (experiment, network, step, dataLabel, scoresFolder);
        Denoiser = experiment.Denoiser(network);
        (this.trainingImages, this.owned) = (trainingImages, owned);
    }

    /// <summary>Draws samples k = firstIndex .. firstIndex + count - 1: x_1 ~ p_1 and the sampler's noise from
    /// per-sample generators (<see cref="PerSampleNoise"/>), so sample k is the same whatever the batch it is drawn in,
    /// and the same for every sampler.</summary>
    /// <param name="sampler">Naive, Momentum or Soft DDIM.</param>
    /// <param name="count">Samples B.</param>
    /// <param name="steps">Sampler steps N (NFE).</param>
    /// <param name="seed">Seed of the per-sample generators.</param>
    /// <param name="firstIndex">Index of the first sample.</param>
    /// <param name="callback">Called after every sampler step (trajectories).</param>
    /// <param name="start">Where x_1 comes from.</param>
    /// <returns>The final x_0 and the last x0_hat [B, C, H, W], on the network's device.</returns>
    public SamplerResult Generate(ISampler sampler, int count, int steps, long seed, long firstIndex = 0, Action<SamplerStep>? callback = null,
        StartKind start = StartKind.Fitted)
    {
        using var noise = new PerSampleNoise(seed, count, firstIndex);
        var device = Network.parameters().First().device;
        using var x1 = StartDistribution(start).Sample(noise, device: device);
        Network.eval();
        using var noGrad = no_grad();
        return sampler.Sample(Denoiser, Corruption, Noise, x1, steps, noise, callback);
    }

    /// <summary>Samples k = 0 .. count - 1 drawn <paramref name="batchSize"/> at a time (the same samples as one
    /// <see cref="Generate"/> call with the same seed: sample k uses generator seed + k), final x_0 only, on the CPU.</summary>
    /// <param name="sampler">Naive, Momentum or Soft DDIM.</param>
    /// <param name="count">Samples N.</param>
    /// <param name="steps">Sampler steps (NFE).</param>
    /// <param name="seed">Seed of the per-sample generators.</param>
    /// <param name="batchSize">Samples per sampler call.</param>
    /// <returns>x_0 [N, C, H, W] on the CPU.</returns>
    public Tensor GenerateInBatches(ISampler sampler, int count, int steps, long seed, int batchSize = 100)
    {
        if (count < 1 || batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(count), $"Expected count >= 1 and batchSize >= 1, received {count} and {batchSize}.");
        var parts = new List<Tensor>();
        try
        {
            for (int first = 0; first < count; first += batchSize)
                using (var result = Generate(sampler, Math.Min(batchSize, count - first), steps, seed, first))
                    parts.Add(result.X.cpu().clone());
            return cat(parts.ToArray(), 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>The p_1 of <paramref name="start"/>: the model's own, or one drawn from or fitted to its training images
    /// (made on first use and kept; disposed with the model).</summary>
    /// <exception cref="InvalidOperationException">The model has no training images, or a DCT p_1 is asked of a model
    /// whose corruption is not blur.</exception>
    public IStartDistribution StartDistribution(StartKind start)
    {
        if (start == StartKind.Fitted) return Start;
        startImages ??= trainingImages?.Invoke()
            ?? throw new InvalidOperationException($"StartKind.{start} needs training images to draw x_1 from or to fit p_1 to; this model ({Recipe.Name}, step {Step}) has none.");
        if (start == StartKind.TrainingImages) return new TrainingImageStart(startImages, Corruption, Noise);
        if (Corruption is not BlurCorruption blur)
            throw new InvalidOperationException($"StartKind.{start} is fitted to the DCT coefficients that survive the blur; this model's corruption is {Recipe.Corruption}.");
        if (start == StartKind.Gaussian) return gaussian ??= DctFullGaussianStart.Fit(startImages, blur, Noise);
        return mixture ??= DctGaussianMixtureStart.Fit(startImages, blur, Noise, DctGaussianMixtureStart.DefaultComponents);
    }

    public void Dispose()
    {
        startImages?.Dispose();
        mixture?.Dispose();
        gaussian?.Dispose();
        foreach (var part in owned) part.Dispose();
    }
}
