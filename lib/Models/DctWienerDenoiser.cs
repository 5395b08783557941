using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// The Wiener denoiser in the DCT basis (docs/method.md §7.4), the reference for the error of x0_hat per band: for a
/// C_t diagonal in the DCT basis with gain c_k(t) per coefficient (blur, or C_t = I), and per-coefficient data mean
/// mu_k and variance v_k, each coefficient is estimated on its own,
/// <c>x0_hat_k = mu_k + g_k (y_k - c_k mu_k), g_k = c_k v_k / (c_k^2 v_k + sigma_t^2)</c>, y = DCT2(x_t),
/// with the expected squared error <c>v_k sigma_t^2 / (c_k^2 v_k + sigma_t^2)</c> per coefficient.
/// </summary>
/// <remarks>
/// [derived] This is the best linear denoiser that treats every DCT coefficient separately, and the exact posterior
/// mean if the data were Gaussian with independent DCT coefficients. It is not the MMSE denoiser of real images: a
/// network can beat it (it uses the correlations between coefficients and is non-linear). For any data with these
/// means and variances its expected error is the formula above, Gaussian or not, since the error of a linear
/// estimator depends on the first two moments only. At a coefficient the blur removes (c_k near 0) it returns mu_k,
/// with error v_k.
/// </remarks>
public sealed class DctWienerDenoiser : IDenoiser, IDisposable
{
    readonly Tensor mean;       // mu [C, H, W] float64
    readonly Tensor variance;   // v [C, H, W] float64
    readonly ICorruption corruption;
    readonly INoiseSchedule noise;

    /// <param name="moments">Per-coefficient moments of the data (<see cref="DctMoments.Compute"/> of training images).</param>
    /// <param name="corruption">C_t: a <see cref="BlurCorruption"/> or an <see cref="IdentityCorruption"/> (the DCT-diagonal ones).</param>
    /// <param name="noise">sigma_t.</param>
    /// <exception cref="ArgumentException">A corruption that is not diagonal in the DCT basis (masking).</exception>
    public DctWienerDenoiser(DctMoments moments, ICorruption corruption, INoiseSchedule noise)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(noise);
        if (corruption is not (BlurCorruption or IdentityCorruption))
            throw new ArgumentException($"Expected a corruption diagonal in the DCT basis (BlurCorruption or IdentityCorruption), received {corruption?.GetType().Name ?? "null"}.", nameof(corruption));
        using var scope = NewDisposeScope();
        mean = moments.Mean.cpu().clone().DetachFromDisposeScope();
        variance = moments.Variance().cpu().clone().DetachFromDisposeScope();
        (this.corruption, this.noise) = (corruption, noise);
    }

    /// <summary>[C, H, W] of the images it denoises.</summary>
    public long[] ImageShape => mean.shape;

    /// <summary>The gain c_k(t) of C_t per coefficient [B, H, W] (float64) for times t [B].</summary>
    public Tensor Gain(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        TimeArguments.CheckVector(t, nameof(t));
        long h = mean.shape[1], w = mean.shape[2];
        using var t64 = t.to(ScalarType.Float64, CPU);
        return corruption is BlurCorruption blur
            ? blur.Attenuation(t64, h, w)
            : ones(t.shape[0], h, w, dtype: ScalarType.Float64);
    }

    /// <summary>The expected squared error per coefficient at time t, v sigma_t^2 / (c^2 v + sigma_t^2) [C, H, W] (float64).</summary>
    public Tensor CoefficientError(double t)
    {
        using var scope = NewDisposeScope();
        var c = Gain(tensor(new[] { t }, dtype: ScalarType.Float64))[0];   // [H, W]
        double s2 = Math.Pow(noise.Sigma(t), 2);
        return (variance * s2 / (c.square() * variance + s2)).MoveToOuterDisposeScope();
    }

    /// <summary>x0_hat = IDCT2(mu + g (DCT2(x_t) - c mu)), g = c v / (c^2 v + sigma_t^2), per sample's t.</summary>
    /// <param name="xT">x_t [B, C, H, W] with [C, H, W] = <see cref="ImageShape"/>.</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>x0_hat [B, C, H, W] in xT's dtype and device.</returns>
    public Tensor Denoise(Tensor xT, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(xT);
        if (xT.dim() != 4 || !xT.shape[1..].SequenceEqual(mean.shape))
            throw new ArgumentException($"Expected xT of shape [B, {string.Join(", ", mean.shape)}], received [{string.Join(", ", xT.shape)}].", nameof(xT));
        if (t is null || t.dim() != 1 || t.shape[0] != xT.shape[0])
            throw new ArgumentException($"Expected t of shape [{xT.shape[0]}], received {(t is null ? "null" : $"[{string.Join(", ", t.shape)}]")}.", nameof(t));
        using var scope = NewDisposeScope();
        var c = Gain(t).unsqueeze(1);                                                   // [B, 1, H, W]
        var s2 = noise.Sigma(t.to(ScalarType.Float64, CPU)).square().view(-1, 1, 1, 1);
        var g = c * variance / (c.square() * variance + s2);
        var y = Dct2d.Forward(xT.to(ScalarType.Float64, CPU));
        var x0Hat = Dct2d.Inverse(mean + g * (y - c * mean));
        return x0Hat.to(xT.dtype, xT.device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        mean.Dispose();
        variance.Dispose();
    }
}
