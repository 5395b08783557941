using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// Where a loss sends gradient (notebook 06, the masking mechanism): |dL / d x0_hat| per pixel for a fixed x0_hat, so
/// pixels a loss cannot see are exactly 0. Under a hard mask, Soft Score Matching's C_t zeroes the masked pixels,
/// among them those the sampler reveals next; <see cref="FilteredLoss"/> trains them.
/// </summary>
public static class LossGradientMap
{
    /// <summary>|dL/d x0_hat| [B, C, H, W] of <paramref name="loss"/> at x0_hat = <paramref name="x0Hat"/> (whatever x_t is).</summary>
    /// <param name="loss">The per-sample loss.</param>
    /// <param name="x0">Clean images [B, C, H, W].</param>
    /// <param name="t">Times [B].</param>
    /// <param name="eta">Noise [B, C, H, W].</param>
    /// <param name="x0Hat">The denoiser output to differentiate at [B, C, H, W] (e.g. zeros: mid-grey).</param>
    public static Tensor Of(ITrainingLoss loss, Tensor x0, Tensor t, Tensor eta, Tensor x0Hat)
    {
        using var scope = NewDisposeScope();
        using var enableGrad = enable_grad();
        var leaf = x0Hat.detach().clone().requires_grad_(true);
        loss.PerSample(new FunctionDenoiser((_, _) => leaf), x0, t, eta).sum().backward();
        return leaf.grad!.abs().detach().MoveToOuterDisposeScope();
    }
}
