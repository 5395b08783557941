using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>
/// Soft Score Matching with the error filtered one step ahead [choice]: <c>L = w(t) || C_{t - dt} (x0_hat - x_0) ||^2</c>,
/// dt = <see cref="Lead"/>, with x_t = C_t x_0 + sigma_t eta and x0_hat = h(x_t, t). The samplers read x0_hat through
/// C_{t - dt} (Algorithms 1 and 2 form C_{t - dt} x0_hat), so this trains exactly what the next step uses. For blur
/// it differs little from <see cref="SoftScoreMatchingLoss"/>; for a hard mask it matters: C_t zeroes the gradient at
/// the masked pixels, C_{t - dt} also trains the pixels the sampler reveals next.
/// </summary>
public sealed class FilteredLoss : ITrainingLoss
{
    /// <summary>The default lead dt: one sampler step at NFE 50 [choice].</summary>
    public const double DefaultLead = 0.02;

    readonly CorruptionProcess process;
    readonly LossWeighting weighting;

    /// <summary>The lead dt: the error is filtered by C_{max(t - dt, 0)}.</summary>
    public double Lead { get; }

    /// <param name="process">The forward process: C_t and sigma_t.</param>
    /// <param name="lead">dt in (0, 1).</param>
    /// <param name="weighting">w(t); default 1 / sigma_t^2, as for Soft Score Matching.</param>
    public FilteredLoss(CorruptionProcess process, double lead = DefaultLead, LossWeighting weighting = LossWeighting.InverseSigmaSquared)
    {
        if (lead is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(lead), lead, "Expected a lead dt in (0, 1).");
        (this.process, this.weighting, Lead) = (process, weighting, lead);
    }

    /// <inheritdoc/>
    public Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
    {
        using var scope = NewDisposeScope();
        var (x0Hat, sigma) = LossTerms.Denoise(process, denoiser, x0, t, eta);   // x0_hat = h(C_t x_0 + sigma_t eta, t)
        var ahead = (t - Lead).clamp_min(0);                                      // t - dt
        var filteredError = process.Corruption.Apply(x0Hat - x0, ahead);          // C_{t - dt} (x0_hat - x_0)
        return LossTerms.Weighted(weighting, sigma, filteredError).MoveToOuterDisposeScope();
    }
}
