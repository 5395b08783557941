using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Maps images to the feature vectors whose Gaussian statistics FID compares (docs/method.md §7.2). The Inception-v3 pool3
/// features give FID proper; any other extractor gives a different, non-comparable number, which its
/// <see cref="Name"/> must say.
/// </summary>
public interface IFeatureExtractor
{
    /// <summary>What the features are, printed next to every score (e.g. "FID Inception-v3 pool3 (pytorch-fid)").</summary>
    string Name { get; }

    /// <summary>Feature dimension D.</summary>
    int Dimension { get; }

    /// <summary>Features of a batch of images, without gradients.</summary>
    /// <param name="images">Images [N, C, H, W] in [-1, 1].</param>
    /// <returns>Features [N, D], float32, on the images' device.</returns>
    Tensor Features(Tensor images);
}
