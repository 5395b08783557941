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
