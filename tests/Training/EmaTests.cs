using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

public sealed class EmaTests
{
    [Fact]
    public void OneUpdateIsTheClosedForm()
    {
        const double d = 0.9;
        using var source = nn.Linear(3, 2);
        using var average = nn.Linear(3, 2);
        var ema = new ExponentialMovingAverage(source, average, d);
        var e0 = source.parameters().Select(p => p.detach().clone()).ToList();   // the EMA starts at w
        using (no_grad())
            foreach (var p in source.parameters()) p.add_(1.0).mul_(2.0);        // new weights w

        ema.Update(update: 1000);   // past the warm-up: d_n = min(0.9, 1001 / 1010) = 0.9

        foreach (var ((e, w), before) in average.parameters().Zip(source.parameters()).Zip(e0))
        {
            var expected = d * before + (1 - d) * w;   // e = d e + (1 - d) w
            // float32 arithmetic in a different order: a few ulps of values of order 1.
            Assert.True(e.allclose(expected, rtol: 0, atol: 1e-6));
        }
    }

    [Theory]
    [InlineData(0.999, 1, 2.0 / 11)]
    [InlineData(0.999, 90, 91.0 / 100)]
    [InlineData(0.999, 8990, 0.999)]      // 8991 / 9000 = 0.999 exactly
    [InlineData(0.999, 100_000, 0.999)]
    [InlineData(0.5, 1, 2.0 / 11)]
    [InlineData(0.5, 10, 0.5)]            // 11 / 20 = 0.55 > 0.5: capped at d
    public void TheDecayWarmsUpToItsMaximum(double decay, long update, double expected)
    {
        using var source = nn.Linear(1, 1);
        using var average = nn.Linear(1, 1);
        var ema = new ExponentialMovingAverage(source, average, decay);
        Assert.Equal(expected, ema.DecayAt(update), 12);
    }

    [Fact]
    public void TheAverageStartsAsACopyIndependentOfTheSource()
    {
        using var source = nn.Linear(3, 2);
        using var average = nn.Linear(3, 2);
        _ = new ExponentialMovingAverage(source, average, 0.999);
        var copy = average.parameters().Select(p => p.detach().clone()).ToList();
        Assert.All(average.parameters().Zip(source.parameters()), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));

        using (no_grad())
            foreach (var p in source.parameters()) p.add_(1.0);

        Assert.All(average.parameters().Zip(copy), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
        Assert.All(average.parameters(), p => Assert.False(p.requires_grad));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(693.5)]
    public void AHalfLifeHalvesTheWeightOfTheOldAverageInThatManyUpdates(double halfLife)
    {
        double decay = new TrainingOptions(EmaHalfLife: halfLife).EffectiveEmaDecay;
        Assert.Equal(0.5, Math.Pow(decay, halfLife), 1e-12);
        Assert.Equal(0.999, new TrainingOptions(EmaDecay: 0.999).EffectiveEmaDecay);   // no half-life: the decay as given
    }
}
