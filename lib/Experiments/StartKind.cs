namespace SoftDiffusion.Experiments;

/// <summary>Where the samplers' x_1 ~ p_1 comes from (the paper leaves p_1 open, docs/method.md §5) [choice].</summary>
public enum StartKind
{
    /// <summary>The model's own p_1, fitted with it: for blur a mixture of full-covariance Gaussians over the surviving
    /// DCT coefficients (<see cref="TrainingRecipe.FitStart"/>; model files of format v1 hold one Gaussian instead),
    /// N(0, sigma_1^2 I) otherwise.</summary>
    Fitted,
    /// <summary>x_1 = C_1 x' + sigma_1 eta from a training image x' drawn uniformly.</summary>
    TrainingImages,
    /// <summary>Blur only: a mixture of <see cref="Start.DctGaussianMixtureStart.DefaultComponents"/> full-covariance
    /// Gaussians over the surviving DCT coefficients, fitted to the training images when first used.</summary>
    GaussianMixture,
    /// <summary>Blur only: one full-covariance Gaussian over the surviving DCT coefficients
    /// (<see cref="Start.DctFullGaussianStart"/>), fitted to the training images when first used; the recipes' p_1 before
    /// the mixture.</summary>
    Gaussian,
}
