using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

/// <summary>The contract every ICorruption obeys, run once per implementation by thin subclasses.</summary>
public abstract class CorruptionContract
{
    /// <summary>The corruption under test for H x W images.</summary>
    protected abstract ICorruption Create(long height, long width);

    const long H = 6, W = 10; // non-square on purpose

    static Tensor Randn(long seed, params long[] shape)
    {
        using var g = new Generator((ulong)seed);
        return randn(shape, dtype: ScalarType.Float64, generator: g);
    }

    static Tensor Times() => tensor(new[] { 0.0, 0.2, 0.6, 1.0 }, dtype: ScalarType.Float64);

    [Fact]
    public void AdjointIdentityHolds()
    {
        using var scope = NewDisposeScope();
        var c = Create(H, W);
        var (x, y, t) = (Randn(1, 4, 3, H, W), Randn(2, 4, 3, H, W), Times());
        var left = (c.Apply(x, t) * y).sum().item<double>();
        var right = (x * c.ApplyTransposed(y, t)).sum().item<double>();
        Assert.Equal(left, right, 1e-10); // float64 round-off on ~700 terms of size ~1
    }

    [Fact]
    public void IsLinear()
    {
        using var scope = NewDisposeScope();
        var c = Create(H, W);
        var (x, y, t) = (Randn(3, 4, 2, H, W), Randn(4, 4, 2, H, W), Times());
        var combined = c.Apply(x * 2.5 - y * 0.5, t);
        var separate = c.Apply(x, t) * 2.5 - c.Apply(y, t) * 0.5;
        Assert.True(combined.allclose(separate, rtol: 0, atol: 1e-12), "C(a x + b y) != a C x + b C y");
    }

    [Fact]
    public void KeepsShapeDtypeAndSampleIndependence()
    {
        using var scope = NewDisposeScope();
        var c = Create(H, W);
        var x = Randn(5, 4, 3, H, W).to(ScalarType.Float32);
        var t = Times().to(ScalarType.Float32);
        var all = c.Apply(x, t);
        Assert.Equal(x.shape, all.shape);
        Assert.Equal(ScalarType.Float32, all.dtype);
        for (var k = 0; k < 4; k++) // sample k is corrupted at its own t_k, whatever the batch
            Assert.True(all[k].allclose(c.Apply(x[k..(k + 1)], t[k..(k + 1)])[0], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void RejectsImagesOfWrongRank()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.ThrowsAny<ArgumentException>(() => Create(H, W).Apply(zeros(3, H, W), zeros(3)));
        Assert.Contains("rank 4", ex.Message);
        Assert.Contains("[3, 6, 10]", ex.Message);
    }

    [Fact]
    public void RejectsTimesOutsideUnitInterval()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.ThrowsAny<ArgumentException>(() => Create(H, W).Apply(zeros(2, 1, H, W), tensor(new[] { 0.5f, 1.5f })));
        Assert.Contains("[0, 1]", ex.Message);
        Assert.Contains("1.5", ex.Message);
    }

    [Fact]
    public void RejectsOneTimePerImageMismatch()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.ThrowsAny<ArgumentException>(() => Create(H, W).Apply(zeros(2, 1, H, W), zeros(3)));
        Assert.Contains("[2]", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }
}

public sealed class BlurCorruptionContractTests : CorruptionContract
{
    protected override ICorruption Create(long height, long width) => new BlurCorruption(SoftDiffusion.Schedules.BlurSchedule.LogSpaced(height, 8));
}

public sealed class RandomMaskContractTests : CorruptionContract
{
    protected override ICorruption Create(long height, long width) => new MaskCorruption(height, width, new MaskCorruptionOptions(Seed: 7));
}

public sealed class SquareMaskContractTests : CorruptionContract
{
    protected override ICorruption Create(long height, long width) => new MaskCorruption(height, width, new MaskCorruptionOptions(MaskPattern.CentredSquare));
}

public sealed class IdentityContractTests : CorruptionContract
{
    protected override ICorruption Create(long height, long width) => new IdentityCorruption();
}
