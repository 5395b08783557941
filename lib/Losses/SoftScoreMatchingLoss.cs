using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>
/// Soft Score Matching (Soft Diffusion, Section 3.2, the loss derived in docs/method.md §3.2):
/// <c>L(x_0, t, eta) = w(t) || C_t (x0_hat - x_0) ||^2</c> with <c>x0_hat = h(x_t, t)</c> and
/// <c>x_t = C_t x_0 + sigma_t eta</c>, summed over pixels, one value per sample. The error is measured after
/// corruption, so only E[C_t x_0 | x_t] is identified (x0_hat is free in the null space of C_t).
/// </summary>
/// <remarks>
/// Relation to denoising score matching [derived]. With the score parametrisation
/// s(x_t) = (C_t x0_hat - x_t) / sigma_t^2 and the conditional score g = grad log q_t(x_t | x_0) = (C_t x_0 - x_t) / sigma_t^2
/// = -eta / sigma_t, one has s - g = C_t (x0_hat - x_0) / sigma_t^2, hence
/// <c>w(t) || C_t (x0_hat - x_0) ||^2 = w(t) sigma_t^4 || s - g ||^2</c>.
/// So <see cref="LossWeighting.InverseSigmaSquared"/> is DSM with weight lambda = sigma_t^2 (Song and Ermon's choice),
/// <see cref="LossWeighting.InverseTwoSigmaFourth"/> is the literal 1/2 ||s - g||^2 and <see cref="LossWeighting.Unit"/>
/// is lambda = sigma_t^4. With C_t = I this is plain denoising score matching (VE / SMLD).
/// </remarks>
public sealed class SoftScoreMatchingLoss : ITrainingLoss
{
    readonly CorruptionProcess process;
    readonly LossWeighting weighting;

    /// <summary>Soft Score Matching for the forward process x_t = C_t x_0 + sigma_t eta.</summary>
    /// <param name="process">The forward process: C_t and sigma_t.</param>
    /// <param name="weighting">w(t); default 1 / sigma_t^2 [choice].</param>
    public SoftScoreMatchingLoss(CorruptionProcess process, LossWeighting weighting = LossWeighting.InverseSigmaSquared)
    {
        this.process = process;
        this.weighting = weighting;
    }

    /// <inheritdoc/>
    public Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
    {
        using var scope = NewDisposeScope();
        var (x0Hat, sigma) = LossTerms.Denoise(process, denoiser, x0, t, eta);   // x0_hat = h(C_t x_0 + sigma_t eta, t)
        var filteredError = process.Corruption.Apply(x0Hat - x0, t);             // C_t (x0_hat - x_0), C_t linear
        return LossTerms.Weighted(weighting, sigma, filteredError).MoveToOuterDisposeScope();   // w(t) ||C_t (x0_hat - x_0)||^2
    }
}
