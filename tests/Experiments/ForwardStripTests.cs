using SoftDiffusion.Corruptions;
using SoftDiffusion.Experiments;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public class ForwardStripTests
{
    [Fact]
    public void RowsHoldEachImageAtEvenlySpacedTimes()
    {
        using var scope = NewDisposeScope();
        var x0 = randn(2, 1, 8, 8, generator: new Generator(0));
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(height: 8));
        var noise = new GeometricNoiseSchedule(0.01, 0.05);

        var clean = ForwardStrip.Of(blur, x0, columns: 5);
        Assert.Equal(new long[] { 10, 1, 8, 8 }, clean.shape);
        Assert.True(clean[0].unsqueeze(0).allclose(blur.Apply(x0.narrow(0, 0, 1), tensor(new[] { 0f })), atol: 1e-6), "Column 0 is C_0 x0.");
        var expected = blur.Apply(x0.narrow(0, 1, 1), tensor(new[] { 0.75f }));
        Assert.True(clean[8].unsqueeze(0).allclose(expected, atol: 1e-6), "Row 1, column 3 is C_0.75 x0^(1).");

        var noisy = ForwardStrip.Of(blur, x0, noise, columns: 5);
        using var eta = new PerSampleNoise(seed: 1, count: 5);
        var row1 = new CorruptionProcess(blur, noise).Sample(x0.narrow(0, 1, 1).expand(5, -1, -1, -1), linspace(0, 1, 5), eta);
        Assert.True(noisy.narrow(0, 5, 5).allclose(row1, atol: 1e-6), "Row i draws its noise from seed i.");
    }

    [Fact]
    public void BadShapesAndTooFewColumnsAreRefused()
    {
        var identity = new IdentityCorruption();
        Assert.Contains("[R, C, H, W]", Assert.Throws<ArgumentException>(() => ForwardStrip.Of(identity, zeros(8, 8))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardStrip.Of(identity, zeros(1, 1, 8, 8), columns: 1));
    }
}
