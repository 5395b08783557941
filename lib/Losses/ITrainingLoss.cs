using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>
/// A training objective evaluated per sample (Soft Score Matching and its ablation baselines). The caller draws
/// t and eta, so a loss is a deterministic function of its arguments and can be charted against t.
/// </summary>
public interface ITrainingLoss
{
    /// <summary>Per-sample loss [B].</summary>
    /// <param name="denoiser">The model, (x_t, t) -> x0_hat.</param>
    /// <param name="x0">Clean images [B, C, H, W] in [-1, 1].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <param name="eta">Standard normal noise [B, C, H, W].</param>
    Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta);
}
