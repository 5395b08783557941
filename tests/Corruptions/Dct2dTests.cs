using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class Dct2dTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(28)]
    [InlineData(64)]
    public void MatrixIsOrthonormal(long n)
    {
        using var scope = NewDisposeScope();
        var d = Dct2d.Matrix(n, CPU, ScalarType.Float64);
        var error = (matmul(d, d.t()) - eye(n, dtype: ScalarType.Float64)).abs().max().item<double>();
        Assert.True(error < 1e-13, $"max |D D^T - I| = {error}"); // float64 sums of n <= 64 products
    }

    [Fact]
    public void RoundTripIsExactInFloat64OnNonSquareImages()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 7, 12, dtype: ScalarType.Float64);
        var error = (Dct2d.Inverse(Dct2d.Forward(x)) - x).abs().max().item<double>();
        Assert.True(error < 1e-12, $"round-trip error {error}");
    }

    [Fact]
    public void CosineBasisImageHasOneCoefficient()
    {
        // Independent oracle: x_ij = cos(pi (2i+1) k0 / 2H) cos(pi (2j+1) l0 / 2W) is DCT basis (k0, l0) up to scale,
        // so its transform is zero except at (k0, l0), where it is ||x|| (orthonormal basis).
        const int h = 6, w = 9, k0 = 2, l0 = 5;
        using var scope = NewDisposeScope();
        var i = arange(h, dtype: ScalarType.Float64).unsqueeze(1);
        var j = arange(w, dtype: ScalarType.Float64).unsqueeze(0);
        var x = (Math.PI * (2 * i + 1) * k0 / (2.0 * h)).cos() * (Math.PI * (2 * j + 1) * l0 / (2.0 * w)).cos();
        var xHat = Dct2d.Forward(x);
        var expected = zeros(h, w, dtype: ScalarType.Float64);
        expected[k0, l0] = x.norm();
        Assert.True(xHat.allclose(expected, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void MatrixIsCachedPerSizeDeviceAndDtype()
    {
        Assert.Same(Dct2d.Matrix(11, CPU, ScalarType.Float32), Dct2d.Matrix(11, CPU, ScalarType.Float32));
        Assert.NotSame(Dct2d.Matrix(11, CPU, ScalarType.Float32), Dct2d.Matrix(11, CPU, ScalarType.Float64));
    }

    [Fact]
    public void SquaredFrequenciesFollowPiKOverN()
    {
        using var scope = NewDisposeScope();
        var w2 = Dct2d.SquaredFrequencies(4, 6, dtype: ScalarType.Float64);
        Assert.Equal(new long[] { 4, 6 }, w2.shape);
        var expected = Math.Pow(Math.PI * 3 / 4, 2) + Math.Pow(Math.PI * 5 / 6, 2);
        Assert.Equal(expected, w2[3, 5].item<double>(), 1e-14);
        Assert.Equal(0.0, w2[0, 0].item<double>());
    }

    [Fact]
    public void RejectsRankBelowTwo()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => Dct2d.Forward(zeros(5)));
        Assert.Contains("rank 1", ex.Message);
    }
}
