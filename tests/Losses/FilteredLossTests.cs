using SoftDiffusion.Corruptions;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Losses;

public sealed class FilteredLossTests
{
    static readonly GeometricNoiseSchedule Schedule = new();

    [Fact]
    public void UnderAHardMaskItTrainsThePixelsRevealedOneStepAheadAndSoftScoreMatchingDoesNot()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(6, 6);
        var process = new CorruptionProcess(mask, Schedule);
        using var g = new Generator(4);
        var x0 = rand([1, 1, 6, 6], dtype: ScalarType.Float64, generator: g);
        var t = tensor(new[] { 0.5 });
        var eta = randn([1, 1, 6, 6], dtype: ScalarType.Float64, generator: g);
        var x0Hat = zeros([1, 1, 6, 6], dtype: ScalarType.Float64, requires_grad: true);
        var constant = new FunctionDenoiser((_, _) => x0Hat);

        new SoftScoreMatchingLoss(process).PerSample(constant, x0, t, eta).sum().backward();
        var ssmGradient = x0Hat.grad!.clone();
        x0Hat.grad!.zero_();
        const double lead = 0.2;
        new FilteredLoss(process, lead).PerSample(constant, x0, t, eta).sum().backward();
        var filteredGradient = x0Hat.grad!;

        var visibleNow = mask.Apply(ones_like(x0), t);                      // 1 where C_t keeps the pixel
        var visibleAhead = mask.Apply(ones_like(x0), t - lead);             // 1 where C_{t - dt} keeps it
        var revealedNext = visibleAhead - visibleNow;
        Assert.True(revealedNext.sum().item<double>() > 0, "the lead must reveal pixels for the test to mean anything");
        Assert.Equal(0, (ssmGradient * revealedNext).abs().sum().item<double>());          // SSM: no gradient there
        Assert.True((filteredGradient * revealedNext).abs().min().item<double>() >= 0);
        Assert.True(((filteredGradient.abs() > 0).to(ScalarType.Float64) - visibleAhead).abs().sum().item<double>() == 0,
            "the filtered loss trains exactly the pixels visible at t - dt");
    }

    [Fact]
    public void ItIsTheWeightedErrorFilteredAtTMinusTheLeadClampedAtZero()
    {
        using var scope = NewDisposeScope();
        var blur = new BlurCorruption(BlurSchedule.LogSpaced(6, 8));
        var process = new CorruptionProcess(blur, Schedule);
        using var g = new Generator(5);
        var x0 = rand([3, 1, 6, 6], dtype: ScalarType.Float64, generator: g);
        var eta = randn([3, 1, 6, 6], dtype: ScalarType.Float64, generator: g);
        var t = tensor(new[] { 0.01, 0.4, 0.9 });
        var denoiser = new FunctionDenoiser((xT, _) => xT * 0.5);
        var loss = new FilteredLoss(process, lead: 0.05).PerSample(denoiser, x0, t, eta);

        // Independently: x_t, x0_hat = x_t / 2, error filtered by C at max(t - 0.05, 0), summed, times 1 / sigma_t^2.
        var xT = blur.Apply(x0, t) + Schedule.Sigma(t).view(-1, 1, 1, 1) * eta;
        var ahead = tensor(new[] { 0.0, 0.35, 0.85 });
        var expected = blur.Apply(xT * 0.5 - x0, ahead).square().flatten(1).sum(1) / Schedule.Sigma(t).square();
        Assert.True(loss.allclose(expected, rtol: 1e-12, atol: 0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void ALeadOutsideTheUnitIntervalIsRefused(double lead)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FilteredLoss(new CorruptionProcess(new IdentityCorruption(), Schedule), lead));
        Assert.Contains("lead dt in (0, 1)", e.Message);
    }
}

public sealed class LossGradientMapTests
{
    [Fact]
    public void TheMapIsZeroExactlyWhereTheFilterRemovesPixels()
    {
        using var scope = NewDisposeScope();
        var mask = new MaskCorruption(5, 5);
        var process = new CorruptionProcess(mask, new GeometricNoiseSchedule());
        var x0 = ones(1, 1, 5, 5, dtype: ScalarType.Float64);
        var t = tensor(new[] { 0.6 });
        var map = SoftDiffusion.Experiments.LossGradientMap.Of(new SoftScoreMatchingLoss(process), x0, t, zeros_like(x0), zeros_like(x0));
        var visible = mask.Apply(ones_like(x0), t);
        Assert.True((map > 0).to(ScalarType.Float64).eq(visible).all().item<bool>());
        // d/dx0_hat of ||x0_hat - 1||^2 / sigma^2 at x0_hat = 0 is 2 / sigma^2 where visible.
        double sigma = new GeometricNoiseSchedule().Sigma(0.6);
        Assert.Equal(2 / (sigma * sigma), map.max().item<double>(), 1e-9);
    }
}
