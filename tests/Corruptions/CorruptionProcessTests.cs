using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class CorruptionProcessTests
{
    static readonly BlurSchedule Blur = new([0.3, 1.0, 2.5]);

    [Fact]
    public void SampleIsCorruptedImagePlusScaledNoise()
    {
        using var scope = NewDisposeScope();
        var process = new CorruptionProcess(new BlurCorruption(Blur), new GeometricNoiseSchedule(0.01, 0.08));
        var x0 = randn(2, 3, 6, 5, dtype: ScalarType.Float64);
        var eta = randn(2, 3, 6, 5, dtype: ScalarType.Float64);
        var xT = process.Sample(x0, tensor(new[] { 0.25, 1.0 }, dtype: ScalarType.Float64), eta);
        for (var k = 0; k < 2; k++)
        {
            var t = k == 0 ? 0.25 : 1.0;
            var sigma = 0.01 * Math.Pow(8.0, t); // sigma_t = sigma_min (sigma_max / sigma_min)^t
            var blurred = BlurCorruption.HeatBlur(x0[k..(k + 1)], tensor(new[] { Blur.SigmaB(t) }, dtype: ScalarType.Float64))[0];
            Assert.True(xT[k].allclose(blurred + eta[k] * sigma, rtol: 0, atol: 1e-14));
        }
    }

    [Fact]
    public void PerSampleNoiseDoesNotDependOnTheBatch()
    {
        using var scope = NewDisposeScope();
        var process = new CorruptionProcess(new IdentityCorruption(), new GeometricNoiseSchedule());
        var x0 = randn(3, 1, 4, 4);
        var t = tensor(new[] { 0.2f, 0.5f, 0.9f });
        using var all = new PerSampleNoise(42, 3);
        using var third = new PerSampleNoise(42, 1, firstIndex: 2);
        var batch = process.Sample(x0, t, all);
        var alone = process.Sample(x0[2..3], t[2..3], third);
        Assert.True(batch[2].equal(alone[0]).all().item<bool>());
    }

    [Fact]
    public void RejectsNoiseOfAnotherShape()
    {
        using var scope = NewDisposeScope();
        var process = new CorruptionProcess(new IdentityCorruption(), new GeometricNoiseSchedule());
        var ex = Assert.Throws<ArgumentException>(() => process.Sample(zeros(2, 1, 4, 4), zeros(2), zeros(2, 1, 4, 5)));
        Assert.Contains("[2, 1, 4, 4]", ex.Message);
        Assert.Contains("[2, 1, 4, 5]", ex.Message);
    }
}
