using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// C_t = alpha_t I: with x_t = alpha_t x_0 + sigma_t eta this is VP / DDPM diffusion (docs/method.md §2.4, [derived]),
/// so VE, VP and blur run through the same code path.
/// </summary>
public sealed class ScaledIdentityCorruption : ICorruption
{
    readonly Func<Tensor, Tensor> alpha;

    /// <param name="alpha">alpha_t: times [B] -> scales [B] (same dtype and device as the times it gets).</param>
    public ScaledIdentityCorruption(Func<Tensor, Tensor> alpha)
    {
        this.alpha = alpha ?? throw new ArgumentNullException(nameof(alpha));
    }

    /// <summary>
    /// The variance-preserving pairing alpha_t = sqrt(1 - sigma_t^2) for a noise schedule with sigma_t &lt; 1
    /// (DDPM's alpha_t^2 + sigma_t^2 = 1).
    /// </summary>
    public static ScaledIdentityCorruption VariancePreserving(INoiseSchedule noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        if (!(noise.Sigma(1.0) < 1))
            throw new ArgumentOutOfRangeException(nameof(noise), $"Expected sigma_1 < 1 for alpha = sqrt(1 - sigma^2), received sigma_1 = {noise.Sigma(1.0)}.");
        return new(t => (1 - noise.Sigma(t).square()).sqrt());
    }

    /// <summary>alpha_t [B] at times t [B].</summary>
    public Tensor Alpha(Tensor t)
    {
        TimeArguments.CheckVector(t, nameof(t));
        return alpha(t);
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor x, Tensor t)
    {
        CorruptionArguments.CheckImagesAndTimes(x, t);
        using var scope = NewDisposeScope();
        var a = alpha(t.to(x.dtype, x.device));
        if (a.dim() != 1 || a.shape[0] != x.shape[0])
            throw new InvalidOperationException($"alpha_t must return shape [{x.shape[0]}], returned {CorruptionArguments.Shape(a)}.");
        return (x * a.view(-1, 1, 1, 1)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor ApplyTransposed(Tensor x, Tensor t) => Apply(x, t);
}
