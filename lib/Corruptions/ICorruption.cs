using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// A deterministic linear corruption C_t (Soft Diffusion, Section 3: x_t = C_t x_0 + sigma_t eta).
/// t = 0 is clean, t = 1 the most corrupted. Implementations work on any batch, channel count and H x W.
/// </summary>
public interface ICorruption
{
    /// <summary>C_t x.</summary>
    /// <param name="x">Images [B, C, H, W].</param>
    /// <param name="t">Corruption times [B] in [0, 1], one per sample.</param>
    /// <returns>[B, C, H, W], same dtype and device as <paramref name="x"/>.</returns>
    Tensor Apply(Tensor x, Tensor t);

    /// <summary>C_t^T x (equal to <see cref="Apply"/> for the symmetric operators of the paper).</summary>
    /// <param name="x">Images [B, C, H, W].</param>
    /// <param name="t">Corruption times [B] in [0, 1].</param>
    Tensor ApplyTransposed(Tensor x, Tensor t);
}
