namespace SoftDiffusion.Losses;

/// <summary>
/// The weight w(t) of the per-sample loss w(t) ||.||^2 (Soft Diffusion, Section 3.2, Soft Score Matching; the
/// weighting is a [choice], docs/method.md §10.2). With C_t = I the three choices are denoising score matching with
/// weight lambda(sigma) = sigma^2, sigma^4 and the literal 1/2 (see <see cref="SoftScoreMatchingLoss"/>).
/// </summary>
public enum LossWeighting
{
    /// <summary>w = 1 / sigma_t^2 (default): the error is measured in units of the noise level.</summary>
    InverseSigmaSquared,

    /// <summary>w = 1: the unweighted squared error.</summary>
    Unit,

    /// <summary>w = 1 / (2 sigma_t^4): the literal score-matching loss 1/2 ||s_theta - grad log q_t(x_t | x_0)||^2.</summary>
    InverseTwoSigmaFourth,
}
