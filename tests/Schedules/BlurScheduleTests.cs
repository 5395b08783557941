using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Schedules;

public sealed class BlurScheduleTests
{
    static readonly BlurSchedule Schedule = new([0.5, 1.0, 4.0]);

    [Fact]
    public void PassesThroughTheLevelsOnTheUniformGrid()
    {
        Assert.Equal(new[] { 0.0, 0.5, 1.0 }, Schedule.Times);
        Assert.Equal(0.5, Schedule.SigmaB(0.0));
        Assert.Equal(1.0, Schedule.SigmaB(0.5));
        Assert.Equal(4.0, Schedule.SigmaB(1.0));
    }

    [Fact]
    public void IsLinearBetweenLevels()
    {
        Assert.Equal(0.75, Schedule.SigmaB(0.25), 1e-15);
        Assert.Equal(1.0 + 0.4 * 3.0, Schedule.SigmaB(0.7), 1e-14); // 40% of the way from t = 0.5 to 1
    }

    [Fact]
    public void TensorAndScalarAgree()
    {
        using var scope = NewDisposeScope();
        var times = new[] { 0.0, 0.1, 0.5, 0.77, 1.0 };
        var sigmaB = Schedule.SigmaB(tensor(times, dtype: ScalarType.Float64)).data<double>().ToArray();
        for (var i = 0; i < times.Length; i++) Assert.Equal(Schedule.SigmaB(times[i]), sigmaB[i], 1e-14);
    }

    [Fact]
    public void LogSpacedDefaultSpansThePaperRangeScaledWithHeight()
    {
        var schedule = BlurSchedule.LogSpaced(32);
        Assert.Equal(32, schedule.Levels.Count);
        Assert.Equal(0.01, schedule.Levels[0]);
        Assert.Equal(23.0 * 32 / 64, schedule.Levels[^1]); // 23 px at 64 x 64, scaled
        var ratios = schedule.Levels.Zip(schedule.Levels.Skip(1), (a, b) => b / a).ToArray();
        Assert.All(ratios, r => Assert.Equal(ratios[0], r, 1e-12)); // geometric progression
    }

    [Fact]
    public void RejectsTooFewLevels()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BlurSchedule([1.0]));
        Assert.Contains("at least 2", ex.Message);
        Assert.Contains("received 1", ex.Message);
    }

    [Fact]
    public void RejectsLevelsThatDoNotIncrease()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BlurSchedule([0.5, 2.0, 2.0]));
        Assert.Contains("strictly increasing", ex.Message);
        Assert.Contains("levels[1] = 2 and levels[2] = 2", ex.Message);
    }

    [Fact]
    public void RejectsNonPositiveLevels()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BlurSchedule([0.0, 1.0]));
        Assert.Contains("> 0", ex.Message);
    }

    [Fact]
    public void RejectsTimesOutsideUnitInterval()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("received 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.SigmaB(1.5)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.SigmaB(tensor(new[] { -0.5f }))).Message);
    }
}
