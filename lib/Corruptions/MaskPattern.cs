namespace SoftDiffusion.Corruptions;

/// <summary>Which pixels the masking corruption removes as rho(t) grows (docs/method.md §2.2, masking, [choice]).</summary>
public enum MaskPattern
{
    /// <summary>One random permutation of the H W pixels, drawn once from a seed; the first floor(rho(t) H W) are masked.</summary>
    RandomPixelOrder,

    /// <summary>A centred square of side sqrt(rho(t)) max(H, W) pixels (area fraction about rho(t) on square images).</summary>
    CentredSquare,
}
