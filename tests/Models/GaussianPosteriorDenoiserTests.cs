using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Tests.Sampling;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

public class GaussianPosteriorDenoiserTests
{
    static readonly GeometricNoiseSchedule Schedule = new(0.05, 0.5);

    [Fact]
    public void DiagonalCorruptionAndCovarianceGiveTheScalarPosteriorMean()
    {
        // Per pixel: x_t = a x_0 + s eta, x_0 ~ N(m, v)  =>  E[x_0 | x_t] = m + v a (x_t - a m) / (a^2 v + s^2).
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var mean = randn([2, 3, 3], dtype: ScalarType.Float64, generator: g);
        var variance = rand([2, 3, 3], dtype: ScalarType.Float64, generator: g) + 0.1;
        var rates = rand([2, 3, 3], dtype: ScalarType.Float64, generator: g) * 3;
        var corruption = DiagonalCorruption.Decay(rates);
        using var oracle = new GaussianPosteriorDenoiser(mean, diag(variance.flatten()), corruption, Schedule);
        var t = tensor(new[] { 0.2, 0.9, 0.2, 1.0 }, dtype: ScalarType.Float64);   // a repeated t exercises the per-t grouping
        var xT = randn([4, 2, 3, 3], dtype: ScalarType.Float64, generator: g);

        var a = (-rates * t.view(-1, 1, 1, 1)).exp();
        var s2 = Schedule.Sigma(t).square().view(-1, 1, 1, 1);
        var expected = mean + variance * a * (xT - a * mean) / (a.square() * variance + s2);

        Assert.True(oracle.Denoise(xT, t).allclose(expected, rtol: 1e-10, atol: 1e-12));   // float64 round-off only
    }

    [Fact]
    public void PosteriorMeanEqualsTheInformationForm()
    {
        // Independent form of the same Gaussian conditional: precision P = Sigma^{-1} + C^T C / s^2,
        // E[x_0 | x_t] = P^{-1} (Sigma^{-1} mu + C^T x_t / s^2). The oracle uses the covariance form (Woodbury).
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var mean = GaussianImages.Mean(4, 4);
        var covariance = GaussianImages.Covariance(4, 4);
        var corruption = new ShiftAverageCorruption(DiagonalCorruption.Decay(rand([1, 4, 4], dtype: ScalarType.Float64, generator: g)));
        using var oracle = new GaussianPosteriorDenoiser(mean, covariance, corruption, Schedule);
        double tValue = 0.6, s = Schedule.Sigma(tValue);
        var xT = randn([3, 1, 4, 4], dtype: ScalarType.Float64, generator: g);

        var c = oracle.CorruptionMatrix(tValue);
        var precision = linalg.inv(covariance) + c.t().matmul(c) / (s * s);
        var rhs = linalg.solve(covariance, mean.flatten()).view(1, -1) + xT.flatten(1).matmul(c) / (s * s);
        var expected = linalg.solve(precision, rhs.t()).t().reshape(3, 1, 4, 4);

        var actual = oracle.Denoise(xT, full(3, tValue, dtype: ScalarType.Float64));
        Assert.True(actual.allclose(expected, rtol: 1e-8, atol: 1e-10));   // two float64 solves of condition ~1e3
    }

    [Fact]
    public void CorruptionMatrixReproducesTheOperator()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var corruption = new ShiftAverageCorruption(DiagonalCorruption.Decay(rand([1, 4, 4], dtype: ScalarType.Float64, generator: g)));
        using var oracle = new GaussianPosteriorDenoiser(GaussianImages.Mean(4, 4), GaussianImages.Covariance(4, 4), corruption, Schedule);
        var x = randn([1, 1, 4, 4], dtype: ScalarType.Float64, generator: g);
        var viaMatrix = oracle.CorruptionMatrix(0.4).matmul(x.flatten()).reshape(1, 1, 4, 4);
        Assert.True(viaMatrix.allclose(corruption.Apply(x, full(1, 0.4, dtype: ScalarType.Float64)), atol: 1e-12));
    }

    [Fact]
    public void ReturnsTheInputDtype()
    {
        using var scope = NewDisposeScope();
        using var oracle = new GaussianPosteriorDenoiser(GaussianImages.Mean(4, 4), GaussianImages.Covariance(4, 4), new IdentityCorruption(), Schedule);
        var x0Hat = oracle.Denoise(zeros(2, 1, 4, 4), full(2, 0.5f));
        Assert.Equal(ScalarType.Float32, x0Hat.dtype);
        Assert.Equal([2L, 1, 4, 4], x0Hat.shape);
    }

    [Fact]
    public void RejectsBadShapes()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => new GaussianPosteriorDenoiser(zeros(1, 4, 4), eye(15), new IdentityCorruption(), Schedule));
        using var oracle = new GaussianPosteriorDenoiser(GaussianImages.Mean(4, 4), GaussianImages.Covariance(4, 4), new IdentityCorruption(), Schedule);
        var e = Assert.Throws<ArgumentException>(() => oracle.Denoise(zeros(2, 1, 3, 4), full(2, 0.5f)));
        Assert.Contains("[B, 1, 4, 4]", e.Message);
        Assert.Throws<ArgumentException>(() => oracle.Denoise(zeros(2, 1, 4, 4), full(3, 0.5f)));
    }
}
