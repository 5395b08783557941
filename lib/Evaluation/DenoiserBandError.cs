using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// The mean squared error of x0_hat per time t and per radial DCT band (docs/method.md §7.4):
/// E[(DCT2(x0_hat(x_t, t) - x_0))_k^2] averaged over the images, the channels and the coefficients k of each band of
/// <see cref="DctBandSpectrum.BandIndex"/>, with x_t = C_t x_0 + sigma_t eta. Measured for any denoiser on held-out
/// images (<see cref="Measure"/>), or in closed form for the Wiener reference (<see cref="Expected"/>), so the two can
/// be compared band by band: where a loss leaves x0_hat untrained, the network's error exceeds the reference's.
/// </summary>
/// <param name="Times">The times t.</param>
/// <param name="Error">Error[i][b]: the mean squared error per coefficient in band b at Times[i].</param>
/// <param name="Images">Images behind each value; 0 for a closed form.</param>
public sealed record DenoiserBandError(IReadOnlyList<double> Times, IReadOnlyList<double[]> Error, long Images)
{
    /// <summary>Measures <paramref name="denoiser"/> on images x0 at each time: x_t = C_t x_0 + sigma_t eta with eta of
    /// image k drawn from generator seed + k (the same eta at every t), no gradient.</summary>
    /// <param name="denoiser">The denoiser (a network in eval mode, or a reference).</param>
    /// <param name="corruption">C_t as trained.</param>
    /// <param name="noise">sigma_t as trained.</param>
    /// <param name="x0">Held-out clean images [N, C, H, W] on the denoiser's device.</param>
    /// <param name="times">Times in [0, 1].</param>
    /// <param name="seed">Seed of the per-image noise generators.</param>
    /// <param name="batchSize">Images per denoiser call.</param>
    /// <exception cref="ArgumentException">x0 not [N, C, H, W], or no times.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time outside [0, 1], or batchSize &lt; 1.</exception>
    public static DenoiserBandError Measure(IDenoiser denoiser, ICorruption corruption, INoiseSchedule noise, Tensor x0,
        IReadOnlyList<double> times, long seed = 0, int batchSize = 200)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        CheckArguments(x0, times);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Expected batchSize >= 1.");
        var process = new CorruptionProcess(corruption, noise);
        var errors = times.Select(t => DctBandSpectrum.BandMean(CoefficientError(denoiser, process, x0, t, seed, batchSize))).ToArray();
        return new DenoiserBandError(times.ToArray(), errors, x0.shape[0]);
    }

    /// <summary>The Wiener reference's expected error per band, v sigma_t^2 / (c^2 v + sigma_t^2) averaged over each band
    /// (<see cref="DctWienerDenoiser.CoefficientError"/>); <see cref="Images"/> is 0.</summary>
    public static DenoiserBandError Expected(DctWienerDenoiser wiener, IReadOnlyList<double> times)
    {
        ArgumentNullException.ThrowIfNull(wiener);
        ArgumentNullException.ThrowIfNull(times);
        var errors = times.Select(t =>
        {
            using var perCoefficient = wiener.CoefficientError(t);
            return DctBandSpectrum.BandMean(perCoefficient);
        }).ToArray();
        return new DenoiserBandError(times.ToArray(), errors, 0);
    }

    // E[(DCT2(x0_hat - x_0))^2] per coefficient [C, H, W] at one t, over all images.
    static Tensor CoefficientError(IDenoiser denoiser, CorruptionProcess process, Tensor x0, double t, long seed, int batchSize)
    {
        using var noGrad = no_grad();
        var sum = zeros(x0.shape[1..], dtype: ScalarType.Float64);
        for (long start = 0; start < x0.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = (int)Math.Min(batchSize, x0.shape[0] - start);
            var batch = x0.narrow(0, start, count);
            var tBatch = full(count, t, dtype: x0.dtype, device: x0.device);
            using var eta = new PerSampleNoise(seed, count, start);
            var xT = process.Sample(batch, tBatch, eta);                       // x_t = C_t x_0 + sigma_t eta
            var error = Dct2d.Forward((denoiser.Denoise(xT, tBatch) - batch).to(ScalarType.Float64, CPU));
            sum.add_(error.square().sum([0]));
        }
        return sum.div_(x0.shape[0]);
    }

    static void CheckArguments(Tensor x0, IReadOnlyList<double> times)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(times);
        if (x0.dim() != 4 || x0.shape[0] < 1)
            throw new ArgumentException($"Expected x0 of rank 4 [N, C, H, W] with N >= 1, received rank {x0.dim()} with shape [{string.Join(", ", x0.shape)}].", nameof(x0));
        if (!x0.is_floating_point())
            throw new ArgumentException($"Expected x0 of a floating-point dtype, received {x0.dtype}.", nameof(x0));
        if (times.Count == 0) throw new ArgumentException("Expected at least one time t.", nameof(times));
        foreach (double t in times) TimeArguments.CheckScalar(t, nameof(times));
    }
}
