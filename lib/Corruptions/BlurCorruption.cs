using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// Gaussian blur as the heat equation, diagonal in the orthonormal DCT-II basis (Soft Diffusion's main operator,
/// Section 3; DCT form [choice, standard in the blur-diffusion literature], docs/method.md §2.1):
/// C_t x = IDCT2(d(t) * DCT2(x)), d_kl(t) = exp(-(w_k^2 + w_l^2) sigma_B(t)^2 / 2), w_k = pi k / H, w_l = pi l / W.
/// Reflective (half-sample symmetric) boundaries; symmetric, so C_t^T = C_t; C_a C_b = C_c with
/// sigma_c^2 = sigma_a^2 + sigma_b^2. Same blur on every channel.
/// </summary>
public sealed class BlurCorruption : ICorruption
{
    /// <summary>The blur schedule sigma_B(t).</summary>
    public BlurSchedule Schedule { get; }

    /// <param name="schedule">sigma_B(t) in pixels.</param>
    public BlurCorruption(BlurSchedule schedule)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor x, Tensor t)
    {
        CorruptionArguments.CheckImagesAndTimes(x, t);
        using var scope = NewDisposeScope();
        return HeatBlur(x, Schedule.SigmaB(t.to(x.dtype, x.device))).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor ApplyTransposed(Tensor x, Tensor t) => Apply(x, t);

    /// <summary>The attenuation d(t) [B, H, W] of every DCT coefficient at times t [B] (for spectrum plots and the selector).</summary>
    public Tensor Attenuation(Tensor t, long height, long width)
    {
        TimeArguments.CheckVector(t, nameof(t));
        using var scope = NewDisposeScope();
        return HeatAttenuation(Schedule.SigmaB(t), height, width).MoveToOuterDisposeScope();
    }

    /// <summary>The attenuation d(t) [H, W] (float64, CPU) at one time t in [0, 1].</summary>
    public Tensor Attenuation(double t, long height, long width)
    {
        using var scope = NewDisposeScope();
        var sigmaB = tensor(new[] { Schedule.SigmaB(t) }, dtype: ScalarType.Float64);
        return HeatAttenuation(sigmaB, height, width)[0].MoveToOuterDisposeScope();
    }

    /// <summary>d_kl = exp(-(w_k^2 + w_l^2) sigma_B^2 / 2) [K, H, W] for blur widths sigmaB [K] (pixels), in sigmaB's dtype and device.</summary>
    public static Tensor HeatAttenuation(Tensor sigmaB, long height, long width)
    {
        if (sigmaB.dim() != 1)
            throw new ArgumentException($"Expected sigmaB of rank 1 [K], received shape {CorruptionArguments.Shape(sigmaB)}.", nameof(sigmaB));
        using var scope = NewDisposeScope();
        var w2 = Dct2d.SquaredFrequencies(height, width, sigmaB.device, sigmaB.dtype);
        var s2 = sigmaB.square().view(-1, 1, 1);
        return (w2.unsqueeze(0) * s2 * -0.5).exp().MoveToOuterDisposeScope();
    }

    /// <summary>The heat blur IDCT2(d * DCT2(x)) of images x [B, C, H, W] with one width sigmaB [B] (pixels) per image.</summary>
    public static Tensor HeatBlur(Tensor x, Tensor sigmaB)
    {
        CorruptionArguments.CheckImages(x, nameof(x));
        if (sigmaB.dim() != 1 || sigmaB.shape[0] != x.shape[0])
            throw new ArgumentException($"Expected sigmaB of shape [{x.shape[0]}], received {CorruptionArguments.Shape(sigmaB)}.", nameof(sigmaB));
        using var scope = NewDisposeScope();
        var d = HeatAttenuation(sigmaB.to(x.dtype, x.device), x.shape[2], x.shape[3]).unsqueeze(1); // [B, 1, H, W]
        return Dct2d.Inverse(d * Dct2d.Forward(x)).MoveToOuterDisposeScope();
    }
}
