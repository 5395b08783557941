using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// The residual parametrisation of the denoiser (Soft Diffusion, Section 3.2 [paper]):
/// <c>x0_hat = h_theta(x_t, t) = phi_theta(x_t, t) + x_t</c>; the network phi predicts x_0 - x_t.
/// Kept apart from the network itself, so any (x_t, t) -> tensor module becomes an <see cref="IDenoiser"/>.
/// </summary>
public sealed class ResidualDenoiser : IDenoiser
{
    /// <summary>The network phi_theta: (x_t [B, C, H, W], t [B]) -> x_0 - x_t [B, C, H, W]. Its parameters are the trained ones.</summary>
    public nn.Module<Tensor, Tensor, Tensor> Network { get; }

    /// <summary>Wraps the network phi_theta.</summary>
    public ResidualDenoiser(nn.Module<Tensor, Tensor, Tensor> network) => Network = network;

    /// <summary>x0_hat = phi_theta(x_t, t) + x_t.</summary>
    /// <param name="xT">Corrupted images x_t [B, C, H, W].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>x0_hat [B, C, H, W].</returns>
    public Tensor Denoise(Tensor xT, Tensor t)
    {
        using var scope = NewDisposeScope();
        var phi = NetworkOutput.ShapedLike(Network.call(xT, t), xT);
        return (phi + xT).MoveToOuterDisposeScope();
    }
}
