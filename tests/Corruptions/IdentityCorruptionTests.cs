using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class IdentityCorruptionTests
{
    [Fact]
    public void IdentityReturnsTheInputValuesInANewHandle()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 5);
        var y = new IdentityCorruption().Apply(x, tensor(new[] { 0.3f, 1f }));
        Assert.True(y.equal(x).all().item<bool>());
        Assert.NotSame(x, y);
    }

    [Fact]
    public void ScaledIdentityMultipliesEachSampleByAlphaT()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 5, dtype: ScalarType.Float64);
        var c = new ScaledIdentityCorruption(t => (-t).exp());
        var y = c.Apply(x, tensor(new[] { 0.0, 0.5 }, dtype: ScalarType.Float64));
        Assert.True(y[0].allclose(x[0], rtol: 0, atol: 0));
        Assert.True(y[1].allclose(x[1] * Math.Exp(-0.5), rtol: 0, atol: 1e-15));
    }

    [Fact]
    public void VariancePreservingPairsAlphaAndSigma()
    {
        using var scope = NewDisposeScope();
        var noise = new GeometricNoiseSchedule(0.05, 0.9);
        var c = ScaledIdentityCorruption.VariancePreserving(noise);
        var t = tensor(new[] { 0.0, 0.4, 1.0 }, dtype: ScalarType.Float64);
        var total = c.Alpha(t).square() + noise.Sigma(t).square(); // alpha_t^2 + sigma_t^2 = 1
        Assert.True(total.allclose(ones(3, dtype: ScalarType.Float64), rtol: 0, atol: 1e-14));
    }

    [Fact]
    public void VariancePreservingRejectsSigmaOfOneOrMore()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ScaledIdentityCorruption.VariancePreserving(new GeometricNoiseSchedule(0.1, 2.0)));
        Assert.Contains("sigma_1 = 2", ex.Message);
    }
}
