using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// C_t = I: the forward process becomes plain VE / SMLD denoising (docs/method.md §2.4, [derived]), the baseline of every
/// ablation. Returns a new tensor handle on x's storage (an alias), never x itself, so the caller may dispose it.
/// </summary>
public sealed class IdentityCorruption : ICorruption
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x, Tensor t)
    {
        CorruptionArguments.CheckImagesAndTimes(x, t);
        return x.alias();
    }

    /// <inheritdoc/>
    public Tensor ApplyTransposed(Tensor x, Tensor t) => Apply(x, t);
}
