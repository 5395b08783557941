using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>
/// The "naive" pixel-space ablation of Soft Score Matching (docs/method.md §3.5, ablation baseline):
/// <c>L(x_0, t, eta) = w(t) || x0_hat - x_0 ||^2</c> with the same x_t = C_t x_0 + sigma_t eta and x0_hat = h(x_t, t),
/// summed over pixels, one value per sample. It asks for x_0 itself, also in the null space of C_t; with C_t = I it
/// equals <see cref="SoftScoreMatchingLoss"/>.
/// </summary>
public sealed class PixelLoss : ITrainingLoss
{
    readonly CorruptionProcess process;
    readonly LossWeighting weighting;

    /// <summary>The pixel loss for the forward process x_t = C_t x_0 + sigma_t eta.</summary>
    /// <param name="process">The forward process: C_t (used only to build x_t) and sigma_t.</param>
    /// <param name="weighting">w(t); default 1 / sigma_t^2, as for Soft Score Matching, so the two differ only in C_t.</param>
    public PixelLoss(CorruptionProcess process, LossWeighting weighting = LossWeighting.InverseSigmaSquared)
    {
        this.process = process;
        this.weighting = weighting;
    }

    /// <inheritdoc/>
    public Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
    {
        using var scope = NewDisposeScope();
        var (x0Hat, sigma) = LossTerms.Denoise(process, denoiser, x0, t, eta);   // x0_hat = h(C_t x_0 + sigma_t eta, t)
        return LossTerms.Weighted(weighting, sigma, x0Hat - x0).MoveToOuterDisposeScope();   // w(t) ||x0_hat - x_0||^2
    }
}
