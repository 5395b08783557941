using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>Options of <see cref="MaskCorruption"/> (Soft Diffusion's masking corruption, method.md §1, all [choice]).</summary>
public sealed record MaskCorruptionOptions(
    MaskPattern Pattern = MaskPattern.RandomPixelOrder, // which pixels go first
    ulong Seed = 0,                                     // seed of the pixel permutation (RandomPixelOrder only)
    Func<Tensor, Tensor>? Fraction = null);             // rho(t): times [B] -> masked fraction [B] in [0, 1], rising from 0 to 1; null = rho(t) = t
