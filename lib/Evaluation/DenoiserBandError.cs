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
/// A measurement keeps every image's error per band, for the intervals of <see cref="Summed"/> and
/// <see cref="SummedDifference"/>.
/// </summary>
public sealed class DenoiserBandError
{
    /// <summary>The times t.</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>Error[i][b]: the mean squared error per coefficient in band b at Times[i].</summary>
    public IReadOnlyList<double[]> Error { get; }

    /// <summary>Images behind each value; 0 for a closed form.</summary>
    public long Images { get; }

    // perImage[i][n * B + b]: image n's mean squared error per coefficient in band b at Times[i]; null for a closed form.
    readonly double[][]? perImage;
    readonly int[] coefficientsPerBand;

    DenoiserBandError(double[] times, double[][] error, long images, double[][]? perImage, int[] coefficientsPerBand) =>
        (Times, Error, Images, this.perImage, this.coefficientsPerBand) = (times, error, images, perImage, coefficientsPerBand);

    /// <summary>The squared error of x0_hat per image summed over the coefficients of bands [from, to) at Times[time],
    /// with its standard error over the images (0 for the closed form).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such time or band range.</exception>
    public NormalInterval Summed(int time, int fromBand, int toBand)
    {
        CheckRange(time, fromBand, toBand);
        if (perImage is null)
            return new NormalInterval(Enumerable.Range(fromBand, toBand - fromBand).Sum(b => coefficientsPerBand[b] * Error[time][b]), 0);
        return NormalInterval.OfMean(DctBandSpectrum.SumOverBands(perImage[time], Images, coefficientsPerBand, fromBand, toBand));
    }

    /// <summary>This measurement minus <paramref name="other"/>, both of the summed error over bands [from, to) at
    /// Times[time], paired image by image: both must be measured on the same images with the same seed.</summary>
    /// <exception cref="ArgumentException">Either is a closed form, or they differ in images or times.</exception>
    public NormalInterval SummedDifference(DenoiserBandError other, int time, int fromBand, int toBand)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckRange(time, fromBand, toBand);
        if (perImage is null || other.perImage is null)
            throw new ArgumentException("Expected two measurements (a closed form has no per-image errors to pair).", nameof(other));
        if (other.Images != Images || !other.Times.SequenceEqual(Times))
            throw new ArgumentException($"Expected measurements of the same images and times, received {Images} and {other.Images} images at [{string.Join(", ", Times)}] and [{string.Join(", ", other.Times)}].", nameof(other));
        var mine = DctBandSpectrum.SumOverBands(perImage[time], Images, coefficientsPerBand, fromBand, toBand);
        var theirs = DctBandSpectrum.SumOverBands(other.perImage[time], Images, coefficientsPerBand, fromBand, toBand);
        return NormalInterval.OfMean(mine.Zip(theirs, (a, b) => a - b).ToArray());
    }

    void CheckRange(int time, int fromBand, int toBand)
    {
        if (time < 0 || time >= Times.Count)
            throw new ArgumentOutOfRangeException(nameof(time), $"Expected a time index in [0, {Times.Count - 1}], received {time}.");
        DctBandSpectrum.CheckBands(fromBand, toBand, Error[time].Length);
    }

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
        var perImage = times.Select(t => BandErrorPerImage(denoiser, process, x0, t, seed, batchSize)).ToArray();
        int bands = DctBandSpectrum.BandCount(x0.shape[2], x0.shape[3]);
        var errors = perImage.Select(values => Enumerable.Range(0, bands)
            .Select(b => Enumerable.Range(0, (int)x0.shape[0]).Average(n => values[n * bands + b])).ToArray()).ToArray();
        return new DenoiserBandError(times.ToArray(), errors, x0.shape[0], perImage, DctBandSpectrum.CoefficientCounts(x0.shape[2], x0.shape[3]));
    }

    /// <summary>The Wiener reference's expected error per band, v sigma_t^2 / (c^2 v + sigma_t^2) averaged over each band
    /// (<see cref="DctWienerDenoiser.CoefficientError"/>); <see cref="Images"/> is 0.</summary>
    public static DenoiserBandError Expected(DctWienerDenoiser wiener, IReadOnlyList<double> times)
    {
        ArgumentNullException.ThrowIfNull(wiener);
        ArgumentNullException.ThrowIfNull(times);
        int[] counts = [];
        var errors = times.Select(t =>
        {
            using var perCoefficient = wiener.CoefficientError(t);
            counts = DctBandSpectrum.CoefficientCounts(perCoefficient.shape[^2], perCoefficient.shape[^1]);
            return DctBandSpectrum.BandMean(perCoefficient);
        }).ToArray();
        return new DenoiserBandError(times.ToArray(), errors, 0, null, counts);
    }

    // Per image n and band b: the mean of (DCT2(x0_hat - x_0))^2 over the band's coefficients and the channels, at one t
    // [N * B].
    static double[] BandErrorPerImage(IDenoiser denoiser, CorruptionProcess process, Tensor x0, double t, long seed, int batchSize)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < x0.shape[0]; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            int count = (int)Math.Min(batchSize, x0.shape[0] - start);
            var batch = x0.narrow(0, start, count);
            var tBatch = full(count, t, dtype: x0.dtype, device: x0.device);
            using var eta = new PerSampleNoise(seed, count, start);
            var xT = process.Sample(batch, tBatch, eta);                       // x_t = C_t x_0 + sigma_t eta
            var error = Dct2d.Forward((denoiser.Denoise(xT, tBatch) - batch).to(ScalarType.Float64, CPU));
            parts.Add(DctBandSpectrum.BandMeansPerImage(error.square()).MoveToOuterDisposeScope());
        }
        return cat(parts, 0).flatten().data<double>().ToArray();
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
