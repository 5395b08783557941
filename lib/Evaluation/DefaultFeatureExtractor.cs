using SoftDiffusion.Runtime;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// The feature extractor scores use unless one is given [choice]: the FID Inception-v3 (<see cref="FidInceptionV3"/>,
/// FID proper) when its weights are there, else the committed Fashion-MNIST classifier
/// (<see cref="FashionClassifierFeatures"/>, not Inception FID). The weights are looked for at the file named by the
/// environment variable <see cref="InceptionWeightsVariable"/>, else at data/<see cref="FidInceptionV3.WeightsFileName"/>.
/// </summary>
public static class DefaultFeatureExtractor
{
    /// <summary>The environment variable naming the user's copy of the FID Inception weights.</summary>
    public const string InceptionWeightsVariable = "SOFT_DIFFUSION_FID_INCEPTION";

    /// <summary>Where the FID Inception weights are looked for when <see cref="InceptionWeightsVariable"/> is not set.</summary>
    public static string InceptionWeightsInData => Path.Combine(ProjectPaths.Data, FidInceptionV3.WeightsFileName);

    /// <summary>The committed Fashion-MNIST classifier (tools/TrainFeatureExtractor).</summary>
    public static string ClassifierWeights => Path.Combine(ProjectPaths.Data, "fashion-classifier.dat");

    /// <summary>The Inception weights file the default takes, or null when it takes the classifier.</summary>
    public static string? InceptionWeights() =>
        InceptionWeights(Environment.GetEnvironmentVariable(InceptionWeightsVariable), InceptionWeightsInData);

    /// <summary>The rule of <see cref="InceptionWeights()"/>: a set variable is taken as is (a missing file is then an
    /// error of <see cref="Load()"/>, not a silent switch to the classifier); else the file in data/ when it exists.</summary>
    /// <param name="variable">The value of <see cref="InceptionWeightsVariable"/>, null or empty when not set.</param>
    /// <param name="inData">The file looked for otherwise.</param>
    internal static string? InceptionWeights(string? variable, string inData) =>
        variable is { Length: > 0 } ? variable : File.Exists(inData) ? inData : null;

    /// <summary>The default extractor: the FID Inception when <see cref="InceptionWeights()"/> names a file, else the
    /// Fashion-MNIST classifier. The caller disposes it.</summary>
    /// <exception cref="FileNotFoundException">The variable names a missing file, or the classifier file is missing.</exception>
    public static IFeatureExtractor Load() => Load(InceptionWeights());

    /// <summary>The FID Inception with the weights <paramref name="inceptionWeights"/>, or the classifier when null.</summary>
    internal static IFeatureExtractor Load(string? inceptionWeights) => inceptionWeights is null
        ? FashionClassifierFeatures.Load(ClassifierWeights)
        : FidInceptionV3.Load(inceptionWeights);
}
