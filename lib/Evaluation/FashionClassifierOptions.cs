namespace SoftDiffusion.Evaluation;

/// <summary>Training of <see cref="FashionClassifierFeatures"/> [choice]: Adam with cross-entropy, shuffled mini-batches.</summary>
/// <param name="Epochs">Passes over the training images (accuracy on the 10k test split is not measured here; check it with Accuracy).</param>
/// <param name="BatchSize">Images per Adam step.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="Seed">Seeds the initial weights and the shuffling; the same seed gives the same classifier.</param>
public sealed record FashionClassifierOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    long Seed = 0);
