using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// Estimates the clean image from a corrupted one: (x_t, t) -> x0_hat (Soft Diffusion, Section 3.2; with the residual
/// parametrisation x0_hat = phi_theta(x_t, t) + x_t). Losses and samplers see only this interface, so a trained
/// network and the exact Gaussian posterior mean are interchangeable.
/// </summary>
public interface IDenoiser
{
    /// <summary>x0_hat = h(x_t, t).</summary>
    /// <param name="xT">Corrupted images x_t [B, C, H, W].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>x0_hat [B, C, H, W].</returns>
    Tensor Denoise(Tensor xT, Tensor t);
}
