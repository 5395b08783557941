using SoftDiffusion.Corruptions;
using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class DctBandSpectrumTests
{
    [Fact]
    public void BandIndexIsTheFloorOfTheRadialFrequency()
    {
        using var band = DctBandSpectrum.BandIndex(28, 28);
        Assert.Equal(0, band[0, 0].item<long>());
        Assert.Equal(1, band[1, 1].item<long>());        // sqrt(2)
        Assert.Equal(5, band[3, 4].item<long>());        // an exact square stays in its band
        Assert.Equal(2, band[0, 2].item<long>());
        Assert.Equal(38, band[27, 27].item<long>());     // floor(27 sqrt(2))
        Assert.Equal(39, DctBandSpectrum.BandCount(28, 28));
        Assert.Equal(1, DctBandSpectrum.BandCount(1, 1));
        var counts = DctBandSpectrum.CoefficientCounts(28, 28);
        Assert.Equal(784, counts.Sum());
        Assert.Equal([1, 3, 5], counts[..3]);            // (0,0); (0,1) (1,0) (1,1); (0,2) (2,0) (1,2) (2,1) (2,2)
        Assert.Equal(1, counts[38]);                      // (27, 27) alone
    }

    [Fact]
    public void WhiteNoiseHasItsVarianceInEveryBand()
    {
        // The DCT is orthonormal, so every coefficient of white noise of std s has variance s^2. The estimate of one
        // coefficient has standard deviation s^2 sqrt(2 / (n - 1)), a band of m coefficients sqrt(m) times less: allow 5 of them.
        using var scope = NewDisposeScope();
        const int n = 2000;
        const double s = 0.3;
        using var g = new Generator(5);
        var images = randn([n, 2, 16, 16], generator: g) * s;
        var spectrum = DctBandSpectrum.Of(images);
        Assert.Equal(n, spectrum.Images);
        Assert.Equal(DctBandSpectrum.BandCount(16, 16), spectrum.Variance.Count);
        Assert.Equal(256, spectrum.CoefficientsPerBand.Sum());
        for (int b = 0; b < spectrum.Variance.Count; b++)
        {
            double standardError = s * s * Math.Sqrt(2.0 / ((n - 1) * 2 * spectrum.CoefficientsPerBand[b]));   // 2 channels
            Assert.True(Math.Abs(spectrum.Variance[b] - s * s) < 5 * standardError,
                $"band {b}: variance {spectrum.Variance[b]:G5}, expected {s * s} ± {5 * standardError:G3}.");
        }
    }

    [Fact]
    public void ABasisImagePutsAllItsVarianceInItsBand()
    {
        // x_i = a_i * IDCT(e_{3,4}): only coefficient (3, 4) varies, with the variance of a; band 5 averages it over its
        // coefficients, every other band is 0.
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        var a = randn([300], dtype: ScalarType.Float64, generator: g);
        var basis = zeros([1, 1, 12, 12], dtype: ScalarType.Float64);
        basis[0, 0, 3, 4] = tensor(1.0, dtype: ScalarType.Float64);
        var images = Dct2d.Inverse(basis) * a.view(-1, 1, 1, 1);
        var spectrum = DctBandSpectrum.Of(images, batchSize: 64);
        double expected = a.var().item<double>() / spectrum.CoefficientsPerBand[5];
        Assert.Equal(expected, spectrum.Variance[5], expected * 1e-9);
        for (int b = 0; b < spectrum.Variance.Count; b++)
            if (b != 5) Assert.True(Math.Abs(spectrum.Variance[b]) < 1e-20, $"band {b}: {spectrum.Variance[b]:G3}");
    }

    [Fact]
    public void BandMeanAveragesCoefficientsAndChannels()
    {
        using var scope = NewDisposeScope();
        var values = stack([full(4, 4, 1.0, dtype: ScalarType.Float64), full(4, 4, 3.0, dtype: ScalarType.Float64)]);
        Assert.All(DctBandSpectrum.BandMean(values), m => Assert.Equal(2.0, m, 1e-12));
        var ramp = DctBandSpectrum.BandIndex(4, 4).to(ScalarType.Float64);
        Assert.Equal(Enumerable.Range(0, DctBandSpectrum.BandCount(4, 4)).Select(b => (double)b), DctBandSpectrum.BandMean(ramp));
    }

    [Fact]
    public void TheStandardErrorOfASummedVarianceMatchesItsSpreadOverRepeatedDraws()
    {
        // 300 independent sets of 100 white-noise images: the estimates of the variance over bands [2, 6) scatter
        // around s^2 m (m coefficients) with the spread the reported standard errors claim, and the 95% intervals
        // cover the truth about 95% of the time (binomial sd 1.3%: allow 90-99%).
        using var scope = NewDisposeScope();
        const int repeats = 300, n = 100, size = 8;
        const double s = 0.5;
        int coefficients = DctBandSpectrum.CoefficientCounts(size, size)[2..6].Sum();
        double truth = s * s * coefficients;
        using var g = new Generator(9);
        var z = new List<double>();
        int covered = 0;
        for (int r = 0; r < repeats; r++)
        {
            using var images = randn([n, 1, size, size], generator: g) * s;
            var spectrum = DctBandSpectrum.Of(images, batchSize: 37);
            var summed = spectrum.SummedVariance(2, 6);
            Assert.Equal(Enumerable.Range(2, 4).Sum(b => spectrum.CoefficientsPerBand[b] * spectrum.Variance[b]), summed.Estimate, 9);
            z.Add((summed.Estimate - truth) / summed.StandardError);
            if (summed.Low <= truth && truth <= summed.High) covered++;
        }
        double spread = Math.Sqrt(z.Sum(v => v * v) / repeats);
        Assert.InRange(spread, 0.85, 1.15);
        Assert.InRange(covered / (double)repeats, 0.90, 0.99);
    }

    [Fact]
    public void TheRatioOfTwoSetsOfOneLawCoversOne()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(10);
        int covered = 0;
        const int repeats = 200;
        for (int r = 0; r < repeats; r++)
        {
            using var a = randn([150, 1, 8, 8], generator: g) * 0.2;
            using var b = randn([400, 1, 8, 8], generator: g) * 0.2;
            var ratio = DctBandSpectrum.VarianceRatio(DctBandSpectrum.Of(a), DctBandSpectrum.Of(b), 5, 10);
            if (ratio.Low <= 1 && 1 <= ratio.High) covered++;
        }
        Assert.InRange(covered / (double)repeats, 0.90, 0.99);
    }

    [Fact]
    public void ASpectrumFromMomentsHasNoIntervalAndBandRangesAreChecked()
    {
        using var scope = NewDisposeScope();
        var images = randn([10, 1, 8, 8]);
        using var moments = DctMoments.Compute(images);
        var fromMoments = DctBandSpectrum.From(moments);
        Assert.Contains("Of(images)", Assert.Throws<InvalidOperationException>(() => fromMoments.SummedVariance(0, 3)).Message);
        var spectrum = DctBandSpectrum.Of(images);
        Assert.Contains("0 <= from < to <= 10", Assert.Throws<ArgumentOutOfRangeException>(() => spectrum.SummedVariance(4, 11)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => spectrum.SummedVariance(3, 3));
    }

    [Fact]
    public void BadInputGetsAnArgumentExceptionSayingWhatWasExpected()
    {
        using var rank3 = zeros(5, 28, 28);
        var e = Assert.Throws<ArgumentException>(() => DctBandSpectrum.Of(rank3));
        Assert.Contains("rank 4 [N, C, H, W]", e.Message);
        Assert.Contains("[5, 28, 28]", e.Message);
        using var one = zeros(1, 1, 28, 28);
        Assert.Contains("at least 2 images", Assert.Throws<ArgumentException>(() => DctBandSpectrum.Of(one)).Message);
        using var bytes = zeros(new long[] { 4, 1, 28, 28 }, dtype: ScalarType.Byte);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => DctBandSpectrum.Of(bytes)).Message);
        using var vector = zeros(28);
        var mean = Assert.Throws<ArgumentException>(() => DctBandSpectrum.BandMean(vector));
        Assert.Contains("rank 2 [H, W] or 3 [C, H, W]", mean.Message);
        Assert.Contains("[28]", mean.Message);
    }
}
