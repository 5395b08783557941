using SoftDiffusion.Training;

namespace SoftDiffusion.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(1, 2e-4 / 100)]
    [InlineData(50, 1e-4)]
    [InlineData(100, 2e-4)]
    [InlineData(101, 2e-4)]
    [InlineData(1_000_000, 2e-4)]
    public void LinearWarmupThenConstant(long step, double expected)
    {
        var schedule = new LearningRateSchedule(2e-4, WarmupSteps: 100);
        // peak * min(step / warmup, 1); exact up to double rounding of the division.
        Assert.Equal(expected, schedule.At(step), 1e-15);
    }

    [Fact]
    public void NoWarmupStartsAtThePeak()
    {
        Assert.Equal(2e-4, new LearningRateSchedule(2e-4, 0).At(1));
    }

    [Fact]
    public void UpdateNumbersStartAtOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(2e-4, 10).At(0));
    }
}

public sealed class CosineLearningRateScheduleTests
{
    [Theory]
    [InlineData(50, 1e-3)]                   // warm-up: peak * 50 / 100
    [InlineData(100, 2e-3)]                  // end of warm-up: the peak
    [InlineData(550, 1e-3)]                  // half-way through the decay: peak (1 + cos(pi / 2)) / 2
    [InlineData(1000, 0.0)]                  // the end of the decay
    [InlineData(5000, 0.0)]                  // and after it
    public void WarmupThenCosineToZero(long step, double expected)
    {
        var schedule = new LearningRateSchedule(2e-3, WarmupSteps: 100, DecaySteps: 1000);
        Assert.Equal(expected, schedule.At(step), 1e-15);
    }

    [Fact]
    public void DecayIsMonotoneAfterTheWarmup()
    {
        var schedule = new LearningRateSchedule(2e-3, WarmupSteps: 10, DecaySteps: 200);
        var rates = Enumerable.Range(10, 191).Select(s => schedule.At(s)).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second <= p.First));
    }
}
