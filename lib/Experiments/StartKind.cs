namespace SoftDiffusion.Experiments;

/// <summary>Where the samplers' x_1 ~ p_1 comes from (the paper leaves p_1 open, docs/method.md §5) [choice].</summary>
public enum StartKind
{
    /// <summary>The recipe's fitted p_1: a full-covariance DCT-Gaussian for blur, N(0, sigma_1^2 I) otherwise.</summary>
    Fitted,
    /// <summary>x_1 = C_1 x' + sigma_1 eta from a training image x' drawn uniformly.</summary>
    TrainingImages,
    /// <summary>Blur only: a mixture of <see cref="Start.DctGaussianMixtureStart.DefaultComponents"/> full-covariance
    /// Gaussians over the surviving DCT coefficients, fitted to the training images when first used.</summary>
    GaussianMixture,
}
