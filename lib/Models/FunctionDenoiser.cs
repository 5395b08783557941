using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// A denoiser given as a function (x_t, t) -> x0_hat, counting its evaluations (the NFE of a sampler run). Notebooks and
/// tests use it to perturb an exact denoiser or to stand in for a network.
/// </summary>
/// <param name="h">The map (x_t [B, C, H, W], t [B]) -> x0_hat [B, C, H, W].</param>
public sealed class FunctionDenoiser(Func<Tensor, Tensor, Tensor> h) : IDenoiser
{
    /// <summary>How many times <see cref="Denoise"/> was called.</summary>
    public int Evaluations { get; private set; }

    /// <inheritdoc/>
    public Tensor Denoise(Tensor xT, Tensor t)
    {
        Evaluations++;
        return h(xT, t);
    }
}
