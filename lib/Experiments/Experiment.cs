using SoftDiffusion.Corruptions;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The method's objects for one recipe on one dataset, before any network: C_t (blur levels selected on the data's
/// statistics), sigma_t and p_1 (fitted to the same images), and the loss and denoiser they imply. A training run
/// (<see cref="ProfileTraining"/>) fits one; a shipped model file (<see cref="ShippedModel"/>) restores one; a
/// <see cref="TrainedModel"/> is an experiment plus trained weights. An ablation changes one of these objects.
/// </summary>
/// <param name="Recipe">What is trained: corruption, noise, loss, denoiser.</param>
/// <param name="Corruption">C_t.</param>
/// <param name="Noise">sigma_t.</param>
/// <param name="Start">p_1 (disposed with the experiment).</param>
public sealed record Experiment(TrainingRecipe Recipe, ICorruption Corruption, INoiseSchedule Noise, IStartDistribution Start) : IDisposable
{
    /// <summary>The recipe's C_t, sigma_t and p_1 for images like <paramref name="statistics"/> [N, C, H, W]: the blur
    /// levels are selected and p_1 is fitted on them.</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="statistics">The data's statistics images (e.g. <see cref="Profile.ImagesForStatistics"/> of them).</param>
    public static Experiment Fit(TrainingRecipe recipe, Tensor statistics)
    {
        recipe.Validate();
        var noise = recipe.CreateNoise();
        var corruption = recipe.CreateCorruption(statistics, noise);
        return new(recipe, corruption, noise, recipe.FitStart(statistics, corruption, noise));
    }

    /// <summary>The recipe's training loss for x_t = C_t x_0 + sigma_t eta.</summary>
    public ITrainingLoss Loss() => Recipe.CreateLoss(Corruption, Noise);

    /// <summary>The recipe's denoiser x0_hat = h(x_t, t) on <paramref name="network"/> (the trained one or its EMA copy).</summary>
    public IDenoiser Denoiser(nn.Module<Tensor, Tensor, Tensor> network) => Recipe.CreateDenoiser(network, Noise);

    /// <summary>Frees p_1's tensors.</summary>
    public void Dispose() => (Start as IDisposable)?.Dispose();
}
