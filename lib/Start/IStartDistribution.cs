using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// The start distribution p_1 of the samplers (docs/method.md §5; not defined in the paper, [paper gap]): draws x_1.
/// </summary>
public interface IStartDistribution
{
    /// <summary>Draws x_1 [B, C, H, W] with B = noise.Count; sample k uses only generator k.</summary>
    /// <param name="noise">One generator per sample.</param>
    /// <param name="dtype">Result dtype (float32 by default).</param>
    /// <param name="device">Result device (CPU by default).</param>
    Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null);
}
