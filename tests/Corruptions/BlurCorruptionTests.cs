using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class BlurCorruptionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static Tensor Randn(ulong seed, params long[] shape)
    {
        using var g = new Generator(seed);
        return randn(shape, dtype: ScalarType.Float64, generator: g);
    }

    static Tensor Widths(params double[] s) => tensor(s, dtype: ScalarType.Float64);

    [Fact]
    public void IsASemigroupInSigmaSquared()
    {
        using var scope = NewDisposeScope();
        var x = Randn(1, 3, 2, 9, 13);
        var (a, b) = (Widths(1.2, 0.3, 4.0), Widths(0.9, 2.0, 0.01));
        var c = (a.square() + b.square()).sqrt();
        var twice = BlurCorruption.HeatBlur(BlurCorruption.HeatBlur(x, a), b);
        var once = BlurCorruption.HeatBlur(x, c);
        var error = (twice - once).abs().max().item<double>();
        Assert.True(error < 1e-12, $"|C_b C_a x - C_c x| = {error}"); // exact in exact arithmetic; float64 round-off
    }

    [Fact]
    public void PreservesEachChannelMean()
    {
        // d_00 = exp(0) = 1 and DCT basis 0 is the constant image: blur keeps the mean of every channel.
        using var scope = NewDisposeScope();
        var x = Randn(2, 2, 3, 8, 5);
        var y = BlurCorruption.HeatBlur(x, Widths(3.0, 7.0));
        Assert.True(y.mean([2, 3]).allclose(x.mean([2, 3]), rtol: 0, atol: 1e-13));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(3.0)]
    public void MatchesSpatialGaussianConvolutionWithHalfSampleSymmetricPadding(double sigmaB)
    {
        using var scope = NewDisposeScope();
        const long h = 12, w = 20;
        var x = Randn(3, 2, 3, h, w);
        var radius = (long)Math.Ceiling(6 * sigmaB);
        var kernel = SampledGaussian(sigmaB, radius);
        var spatial = ConvolveAxis(ConvolveAxis(x, kernel, 2), kernel, 3);
        var dct = BlurCorruption.HeatBlur(x, Widths(sigmaB, sigmaB));

        // Both are diagonal in the DCT-II basis (the half-sample symmetric extension makes the symmetric convolution
        // diagonal there); their eigenvalues differ only by G(w) - exp(-w^2 s^2 / 2), G the transfer function of the
        // sampled, truncated, normalised kernel (aliasing ~ exp(-pi^2 s^2 / 2), truncation at 6 s ~ 1e-9).
        // For a product of two such 1-D factors in [0, 1], the 2-D eigenvalue error is at most delta_H + delta_W, so
        // per image and channel |spatial - dct|_inf <= |spatial - dct|_2 <= (delta_H + delta_W) ||x||_2.
        var delta = TransferError(kernel, radius, sigmaB, h) + TransferError(kernel, radius, sigmaB, w);
        var bound = delta * x.square().sum([2, 3]).sqrt().max().item<double>() + 1e-12;
        var error = (spatial - dct).abs().max().item<double>();
        output.WriteLine($"sigma_B = {sigmaB}: max |spatial - DCT| = {error:E2}, bound {bound:E2}");
        Assert.True(bound < 1e-3, $"bound {bound} too loose to be a test");
        Assert.True(error <= bound, $"max |spatial - DCT| = {error} > bound {bound}");
    }

    /// <summary>g[m] proportional to exp(-m^2 / (2 s^2)), m = -R..R, summing to 1.</summary>
    static double[] SampledGaussian(double sigma, long radius)
    {
        var g = Enumerable.Range((int)-radius, (int)(2 * radius + 1)).Select(m => Math.Exp(-m * m / (2 * sigma * sigma))).ToArray();
        var total = g.Sum();
        return g.Select(v => v / total).ToArray();
    }

    /// <summary>max_k |sum_m g[m] cos(w_k m) - exp(-w_k^2 s^2 / 2)|, w_k = pi k / n.</summary>
    static double TransferError(double[] g, long radius, double sigma, long n) =>
        Enumerable.Range(0, (int)n).Max(k =>
        {
            var wk = Math.PI * k / n;
            var sampled = g.Select((v, m) => v * Math.Cos(wk * (m - radius))).Sum();
            return Math.Abs(sampled - Math.Exp(-wk * wk * sigma * sigma / 2));
        });

    /// <summary>Correlation with g along one axis after extending x half-sample symmetrically (numpy "symmetric": c b a | a b c | c b a).</summary>
    static Tensor ConvolveAxis(Tensor x, double[] g, long axis)
    {
        var n = x.shape[axis];
        var radius = (g.Length - 1) / 2;
        var source = Enumerable.Range(-radius, (int)n + 2 * radius).Select(m =>
        {
            var p = ((m % (2 * n)) + 2 * n) % (2 * n); // the extension has period 2n ...
            return p < n ? p : 2 * n - 1 - p;          // ... and mirrors between the samples at the borders
        }).ToArray();
        var padded = x.index_select(axis, tensor(source, dtype: ScalarType.Int64));
        var result = zeros_like(x);
        for (var m = 0; m < g.Length; m++) result += padded.narrow(axis, m, n) * g[m];
        return result;
    }

    [Fact]
    public void AttenuationFollowsTheHeatKernel()
    {
        using var scope = NewDisposeScope();
        var blur = new BlurCorruption(new BlurSchedule([0.5, 2.0, 3.0]));
        var t = tensor(new[] { 0.25, 1.0 }, dtype: ScalarType.Float64);
        var d = blur.Attenuation(t, 5, 7);
        Assert.Equal(new long[] { 2, 5, 7 }, d.shape);
        var sigmaB = 0.5 + 0.5 * (2.0 - 0.5); // t = 0.25 is half-way between t_0 = 0 and t_1 = 0.5
        var w2 = Math.Pow(Math.PI * 4 / 5, 2) + Math.Pow(Math.PI * 2 / 7, 2);
        Assert.Equal(Math.Exp(-w2 * sigmaB * sigmaB / 2), d[0, 4, 2].item<double>(), 1e-14);
        Assert.True(d[1].allclose(blur.Attenuation(1.0, 5, 7), rtol: 0, atol: 1e-15));
    }

    [Fact]
    public void ApplyUsesTheScheduleAtEachSamplesTime()
    {
        using var scope = NewDisposeScope();
        var schedule = BlurSchedule.LogSpaced(16, 5);
        var x = Randn(4, 2, 1, 16, 16);
        var t = tensor(new[] { 0.1, 0.9 }, dtype: ScalarType.Float64);
        var expected = BlurCorruption.HeatBlur(x, Widths(schedule.SigmaB(0.1), schedule.SigmaB(0.9)));
        Assert.True(new BlurCorruption(schedule).Apply(x, t).allclose(expected, rtol: 0, atol: 1e-14));
    }

    [Fact]
    public void HeatBlurRejectsOneWidthPerImageMismatch()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => BlurCorruption.HeatBlur(zeros(3, 1, 4, 4), Widths(1, 2)));
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }
}
