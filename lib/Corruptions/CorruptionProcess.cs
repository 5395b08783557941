using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// The forward process of Soft Diffusion (Section 3, docs/method.md §2): x_t = C_t x_0 + sigma_t eta, eta ~ N(0, I),
/// whose marginal is q_t(x_t | x_0) = N(C_t x_0, sigma_t^2 I).
/// </summary>
public sealed class CorruptionProcess
{
    /// <summary>The corruption C_t.</summary>
    public ICorruption Corruption { get; }

    /// <summary>The noise levels sigma_t.</summary>
    public INoiseSchedule Noise { get; }

    /// <param name="corruption">C_t.</param>
    /// <param name="noise">sigma_t.</param>
    public CorruptionProcess(ICorruption corruption, INoiseSchedule noise)
    {
        Corruption = corruption ?? throw new ArgumentNullException(nameof(corruption));
        Noise = noise ?? throw new ArgumentNullException(nameof(noise));
    }

    /// <summary>x_t = C_t x_0 + sigma_t eta with the caller's noise.</summary>
    /// <param name="x0">Clean images [B, C, H, W].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <param name="eta">Standard normal noise, same shape as x0.</param>
    /// <returns>x_t [B, C, H, W] in x0's dtype and device.</returns>
    public Tensor Sample(Tensor x0, Tensor t, Tensor eta)
    {
        CorruptionArguments.CheckImagesAndTimes(x0, t);
        if (!eta.shape.SequenceEqual(x0.shape))
            throw new ArgumentException($"Expected eta of the shape of x0 {CorruptionArguments.Shape(x0)}, received {CorruptionArguments.Shape(eta)}.", nameof(eta));
        using var scope = NewDisposeScope();
        var sigma = Noise.Sigma(t.to(x0.dtype, x0.device)).view(-1, 1, 1, 1);
        return (Corruption.Apply(x0, t) + sigma * eta.to(x0.dtype, x0.device)).MoveToOuterDisposeScope();
    }

    /// <summary>x_t with eta drawn per sample from <paramref name="noise"/> (sample k from generator k).</summary>
    public Tensor Sample(Tensor x0, Tensor t, PerSampleNoise noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        CorruptionArguments.CheckImages(x0, nameof(x0));
        if (noise.Count != x0.shape[0])
            throw new ArgumentException($"Expected one generator per image ({x0.shape[0]}), received {noise.Count}.", nameof(noise));
        using var scope = NewDisposeScope();
        var eta = noise.Randn(x0.shape[1..], x0.dtype, x0.device);
        return Sample(x0, t, eta).MoveToOuterDisposeScope();
    }
}
