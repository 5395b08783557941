using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class MaskCorruptionTests
{
    [Fact]
    public void IsIdempotent()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(8, 12, new MaskCorruptionOptions(Seed: 3));
        var x = randn(3, 2, 8, 12, dtype: ScalarType.Float64);
        var t = tensor(new[] { 0.1, 0.5, 0.8 }, dtype: ScalarType.Float64);
        var once = mask.Apply(x, t);
        Assert.True(mask.Apply(once, t).equal(once).all().item<bool>());
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 24)]
    [InlineData(0.5, 48)]
    [InlineData(0.8, 76)] // floor(0.8 * 96) = 76
    [InlineData(1.0, 96)]
    public void RandomOrderMasksTheFirstFloorRhoHWPixelsOnEveryChannel(double t, long masked)
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(8, 12, new MaskCorruptionOptions(Seed: 5));
        var y = mask.Apply(ones(1, 3, 8, 12, dtype: ScalarType.Float64), tensor(new[] { t }, dtype: ScalarType.Float64));
        for (var c = 0; c < 3; c++)
            Assert.Equal(masked, y[0, c].eq(0).sum().item<long>());
        Assert.True(y[0, 0].equal(y[0, 2]).all().item<bool>(), "same mask on every channel");
        var first = mask.Permutation!.narrow(0, 0, masked);             // the masked pixels are the permutation's prefix
        Assert.Equal(0.0, y[0, 0].flatten().index_select(0, first).abs().sum().item<double>());
    }

    [Fact]
    public void PermutationIsDeterminedBySeedAndCanBeReloaded()
    {
        using var scope = NewDisposeScope();
        var a = new MaskCorruption(6, 7, new MaskCorruptionOptions(Seed: 11));
        var b = new MaskCorruption(6, 7, new MaskCorruptionOptions(Seed: 11));
        var other = new MaskCorruption(6, 7, new MaskCorruptionOptions(Seed: 12));
        Assert.True(a.Permutation!.equal(b.Permutation!).all().item<bool>());
        Assert.False(a.Permutation!.equal(other.Permutation!).all().item<bool>());
        var reloaded = new MaskCorruption(6, 7, a.Permutation!.clone());
        var t = tensor(new[] { 0.3, 0.7 });
        Assert.True(reloaded.Mask(t).equal(a.Mask(t)).all().item<bool>());
    }

    [Fact]
    public void CentredSquareMasksTheCentralSquareOfSideSqrtRhoTimesSize()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(8, 8, new MaskCorruptionOptions(MaskPattern.CentredSquare));
        var kept = mask.Mask(tensor(new[] { 0.25 }))[0, 0];    // side sqrt(0.25) * 8 = 4: rows and columns 2..5
        var expected = ones(8, 8);
        expected[TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = zeros(4, 4);
        Assert.True(kept.equal(expected).all().item<bool>());
        Assert.Equal(0f, mask.Mask(tensor(new[] { 1.0f })).sum().item<float>()); // everything masked at rho = 1
        Assert.Null(mask.Permutation);
    }

    [Fact]
    public void FractionIsConfigurable()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(4, 5, new MaskCorruptionOptions(Seed: 1, Fraction: t => t.square()));
        var kept = mask.Mask(tensor(new[] { 0.5 }, dtype: ScalarType.Float64));
        Assert.Equal(20 - 5, kept.sum().item<float>()); // floor(0.25 * 20) = 5 masked
    }

    [Fact]
    public void RejectsImagesOfAnotherSize()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(8, 8);
        var ex = Assert.Throws<ArgumentException>(() => mask.Apply(zeros(1, 1, 8, 9), zeros(1)));
        Assert.Contains("8 x 8", ex.Message);
        Assert.Contains("[1, 1, 8, 9]", ex.Message);
    }

    [Fact]
    public void RejectsAPermutationThatIsNotOne()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => new MaskCorruption(2, 2, tensor(new long[] { 0, 1, 1, 3 })));
        Assert.Contains("permutation of 0..3", ex.Message);
    }
}
