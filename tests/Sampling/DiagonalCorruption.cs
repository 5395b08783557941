using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>Test-local C_t = diag(d(t)) for a given d: t [B] -> [B, C, H, W] (or broadcastable); symmetric.</summary>
sealed class DiagonalCorruption(Func<Tensor, Tensor> diagonal) : ICorruption
{
    /// <summary>C_t x = exp(-rates * t) x per pixel: smooth in t, invertible, equal to I at t = 0.</summary>
    public static DiagonalCorruption Decay(Tensor rates) => new(t => (-rates.to(t.dtype) * t.view(-1, 1, 1, 1)).exp());

    public Tensor Apply(Tensor x, Tensor t) => x * diagonal(t).to(x.dtype);

    public Tensor ApplyTransposed(Tensor x, Tensor t) => Apply(x, t);
}
