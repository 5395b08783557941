using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// The variance of a set of images per radial DCT band (docs/method.md §7.4): the orthonormal DCT-II of the blur
/// (<see cref="Dct2d"/>), the variance of every coefficient over the images, averaged over the coefficients
/// (k, l) of band b = floor(sqrt(k^2 + l^2)) and over channels. The blur of Soft Diffusion removes the high bands
/// first, so this is where samples that are too smooth (too little energy in the high bands) or too grainy (too
/// much) show, against the same spectrum of the data. White noise of standard deviation s has s^2 in every band.
/// A spectrum of images (<see cref="Of"/>) also keeps each image's squared deviation per band, for the standard errors
/// of <see cref="SummedVariance"/> and <see cref="VarianceRatio"/>.
/// </summary>
public sealed class DctBandSpectrum
{
    /// <summary>Mean per-coefficient variance of band b, for b = 0 .. <see cref="BandCount"/> - 1 (unbiased, N - 1).</summary>
    public IReadOnlyList<double> Variance { get; }

    /// <summary>DCT coefficients (k, l) per band (one channel).</summary>
    public IReadOnlyList<int> CoefficientsPerBand { get; }

    /// <summary>Images N behind the variances.</summary>
    public long Images { get; }

    // Per image i and band b, the mean over the band's coefficients (and channels) of (z_ik - m_k)^2 [N * B]; null when
    // the spectrum was built from moments.
    readonly double[]? deviations;

    DctBandSpectrum(double[] variance, int[] coefficientsPerBand, long images, double[]? deviations = null) =>
        (Variance, CoefficientsPerBand, Images, this.deviations) = (variance, coefficientsPerBand, images, deviations);

    /// <summary>The variance summed over the coefficients of bands [<paramref name="fromBand"/>, <paramref name="toBand"/>)
    /// (one channel's worth: channels are averaged), sum_b m_b Variance[b], with its standard error over the images,
    /// s(T) / sqrt(N) N / (N - 1) for T_i = sum_b m_b u_i(b), u_i(b) the image's mean squared deviation in band b (the
    /// uncertainty of the mean is left out, a 1 / N effect).</summary>
    /// <exception cref="InvalidOperationException">The spectrum was built from moments (<see cref="From"/>), which keep no
    /// per-image values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 &lt;= from &lt; to &lt;= bands.</exception>
    public NormalInterval SummedVariance(int fromBand, int toBand)
    {
        CheckBands(fromBand, toBand, Variance.Count);
        if (deviations is null)
            throw new InvalidOperationException("This spectrum was computed from moments, which keep no per-image values; use DctBandSpectrum.Of(images) for a standard error.");
        var totals = SumOverBands(deviations, Images, CoefficientsPerBand, fromBand, toBand);
        var perImage = NormalInterval.OfMean(totals);
        double unbiased = Images / (Images - 1.0);
        return new NormalInterval(unbiased * perImage.Estimate, unbiased * perImage.StandardError);
    }

    /// <summary>The variance of <paramref name="samples"/> over bands [from, to) divided by that of
    /// <paramref name="reference"/> (e.g. the data), with the delta method's interval (independent image sets): below 1
    /// the samples are too smooth there, above 1 too grainy.</summary>
    public static NormalInterval VarianceRatio(DctBandSpectrum samples, DctBandSpectrum reference, int fromBand, int toBand)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(reference);
        if (samples.Variance.Count != reference.Variance.Count)
            throw new ArgumentException($"Expected spectra of one image size, received {samples.Variance.Count} and {reference.Variance.Count} bands.", nameof(reference));
        return NormalInterval.Ratio(samples.SummedVariance(fromBand, toBand), reference.SummedVariance(fromBand, toBand));
    }

    /// <summary>Bands of an H x W image: floor(sqrt((H-1)^2 + (W-1)^2)) + 1.</summary>
    public static int BandCount(long height, long width)
    {
        CheckSize(height, width);
        return (int)Math.Floor(Math.Sqrt((double)(height - 1) * (height - 1) + (double)(width - 1) * (width - 1))) + 1;
    }

    /// <summary>The band of every DCT coefficient, b(k, l) = floor(sqrt(k^2 + l^2)) [H, W] (int64, CPU); k is the
    /// vertical and l the horizontal frequency index of <see cref="Dct2d"/>.</summary>
    public static Tensor BandIndex(long height, long width)
    {
        CheckSize(height, width);
        using var scope = NewDisposeScope();
        var k = arange(height, dtype: ScalarType.Float64).unsqueeze(1);
        var l = arange(width, dtype: ScalarType.Float64).unsqueeze(0);
        // + 1e-9 keeps exact squares (k, l) = (3, 4) in band 5 whatever sqrt's last bit.
        return (k.square() + l.square()).sqrt().add(1e-9).floor().to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>The mean of a per-coefficient quantity over each band: values [H, W] or [C, H, W] (channels are
    /// averaged too) to one number per band.</summary>
    /// <exception cref="ArgumentException">values is not of rank 2 or 3.</exception>
    public static double[] BandMean(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() is not (2 or 3))
            throw new ArgumentException($"Expected per-coefficient values of rank 2 [H, W] or 3 [C, H, W], received rank {values.dim()} with shape [{string.Join(", ", values.shape)}].", nameof(values));
        using var scope = NewDisposeScope();
        return BandMeansPerImage(values.reshape(1, -1, values.shape[^2], values.shape[^1])).data<double>().ToArray();
    }

    /// <summary>The band spectrum of images [N, C, H, W] (N >= 2), read <paramref name="batchSize"/> at a time.</summary>
    /// <exception cref="ArgumentException">images is not [N, C, H, W] of a floating-point dtype, or N &lt; 2.</exception>
    public static DctBandSpectrum Of(Tensor images, long batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
            throw new ArgumentException($"Expected images of rank 4 [N, C, H, W], received rank {images.dim()} with shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.shape[0] < 2)
            throw new ArgumentException($"Expected at least 2 images for a variance, received {images.shape[0]}.", nameof(images));
        using var moments = DctMoments.Compute(images, batchSize);
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        int bands = BandCount(h, w);
        var deviations = Deviations(images, moments.Mean, batchSize);
        var variance = new double[bands];   // sum_i u_i(b) / (N - 1), the unbiased variance averaged over band b
        for (long i = 0; i < n; i++)
            for (int b = 0; b < bands; b++) variance[b] += deviations[i * bands + b] / (n - 1);
        return new DctBandSpectrum(variance, CoefficientCounts(h, w), n, deviations);
    }

    /// <summary>Per image, sum_b m_b values_i(b) over bands [from, to): values [N * B] per image and band, m_b the
    /// coefficients of band b.</summary>
    internal static double[] SumOverBands(double[] values, long images, IReadOnlyList<int> coefficientsPerBand, int fromBand, int toBand)
    {
        int bands = coefficientsPerBand.Count;
        var totals = new double[images];
        for (long i = 0; i < images; i++)
            for (int b = fromBand; b < toBand; b++) totals[i] += coefficientsPerBand[b] * values[i * bands + b];
        return totals;
    }

    // Second pass: u_i(b), the mean over band b's coefficients and the channels of (z_ik - m_k)^2 per image [N * B].
    static double[] Deviations(Tensor images, Tensor mean, long batchSize)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            var batch = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(ScalarType.Float64);
            var squared = (Dct2d.Forward(batch) - mean.to(batch.device)).square().to(CPU);
            parts.Add(BandMeansPerImage(squared).MoveToOuterDisposeScope());
        }
        return cat(parts, 0).flatten().data<double>().ToArray();
    }

    /// <summary>Per image, the mean of a per-coefficient quantity over each band: values [N, C, H, W] (channels averaged)
    /// to [N, B] float64 on the CPU.</summary>
    public static Tensor BandMeansPerImage(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 4)
            throw new ArgumentException($"Expected per-coefficient values of rank 4 [N, C, H, W], received rank {values.dim()} with shape [{string.Join(", ", values.shape)}].", nameof(values));
        using var scope = NewDisposeScope();
        long n = values.shape[0], h = values.shape[2], w = values.shape[3];
        var perCoefficient = values.to(ScalarType.Float64, CPU).mean([1]).reshape(n, h * w);   // channels averaged
        var band = BandIndex(h, w).flatten();
        int count = BandCount(h, w);
        var sums = zeros(n, count, dtype: ScalarType.Float64).index_add_(1, band, perCoefficient, 1);
        var sizes = zeros(count, dtype: ScalarType.Float64).index_add_(0, band, ones(h * w, dtype: ScalarType.Float64), 1);
        return (sums / sizes).MoveToOuterDisposeScope();
    }

    internal static void CheckBands(int fromBand, int toBand, int bands)
    {
        if (fromBand < 0 || toBand <= fromBand || toBand > bands)
            throw new ArgumentOutOfRangeException(nameof(fromBand), $"Expected bands [from, to) with 0 <= from < to <= {bands}, received [{fromBand}, {toBand}).");
    }

    /// <summary>The band spectrum from per-coefficient moments (e.g. of the training data).</summary>
    public static DctBandSpectrum From(DctMoments moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (moments.Count < 2)
            throw new ArgumentException($"Expected moments of at least 2 images for a variance, received {moments.Count}.", nameof(moments));
        using var scope = NewDisposeScope();
        long n = moments.Count, h = moments.Mean.shape[^2], w = moments.Mean.shape[^1];
        var variance = moments.Variance() * (n / (n - 1.0));   // population -> unbiased
        return new DctBandSpectrum(BandMean(variance), CoefficientCounts(h, w), n);
    }

    /// <summary>DCT coefficients (k, l) in each band of an H x W image (they sum to H W): to turn a per-coefficient mean
    /// back into a sum over a band.</summary>
    public static int[] CoefficientCounts(long height, long width)
    {
        using var scope = NewDisposeScope();
        var band = BandIndex(height, width).flatten();
        var counts = zeros(BandCount(height, width), dtype: ScalarType.Int64).index_add_(0, band, ones_like(band), 1);
        return counts.data<long>().Select(c => (int)c).ToArray();
    }

    static void CheckSize(long height, long width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Expected H, W >= 1, received {height} x {width}.");
    }
}
