using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>Options of <see cref="MaskCorruption"/> (Soft Diffusion's masking corruption, docs/method.md §2.2, all [choice]).</summary>
public sealed record MaskCorruptionOptions(
    MaskPattern Pattern = MaskPattern.RandomPixelOrder, // which pixels go first
    ulong Seed = 0,                                     // seed of the pixel permutation (RandomPixelOrder only)
    Func<Tensor, Tensor>? Fraction = null);             // rho(t): times [B] (float64, CPU) -> masked fraction [B], rising from 0 to 1 (clamped to [0, 1]); null = rho(t) = t
