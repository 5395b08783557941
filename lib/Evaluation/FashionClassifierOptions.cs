namespace SoftDiffusion.Evaluation;

/// <summary>Training of <see cref="FashionClassifierFeatures"/> [choice]: Adam with cross-entropy, shuffled mini-batches.</summary>
/// <param name="Epochs">Passes over the training images (10 on the 60k split reach ~92% test accuracy for this size of CNN).</param>
/// <param name="BatchSize">Images per Adam step.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="Seed">Seeds the initial weights and the shuffling; the same seed gives the same classifier.</param>
public sealed record FashionClassifierOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    long Seed = 0);
