using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Schedules;

public sealed class GeometricNoiseScheduleTests
{
    [Fact]
    public void FollowsSigmaMinTimesRatioToTheT()
    {
        var schedule = new GeometricNoiseSchedule(0.01, 0.08);
        Assert.Equal(0.01, schedule.Sigma(0.0), 1e-17);
        Assert.Equal(0.08, schedule.Sigma(1.0), 1e-16);
        Assert.Equal(0.02, schedule.Sigma(1.0 / 3), 1e-16); // 0.01 * 8^(1/3)
    }

    [Fact]
    public void DefaultsAreTheProjectChoice()
    {
        var schedule = new GeometricNoiseSchedule();
        Assert.Equal((0.01, 0.05), (schedule.SigmaMin, schedule.SigmaMax));
    }

    [Fact]
    public void TensorAndScalarAgreeAndIncrease()
    {
        using var scope = NewDisposeScope();
        var schedule = new GeometricNoiseSchedule(0.01, 0.1);
        var times = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
        var sigma = schedule.Sigma(tensor(times, dtype: ScalarType.Float64)).data<double>().ToArray();
        for (var i = 0; i < times.Length; i++) Assert.Equal(schedule.Sigma(times[i]), sigma[i], 1e-15);
        Assert.True(sigma.Zip(sigma.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void RejectsNonPositiveSigmaMin()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricNoiseSchedule(0.0, 0.05));
        Assert.Contains("sigmaMin > 0", ex.Message);
        Assert.Contains("received 0", ex.Message);
    }

    [Fact]
    public void RejectsDecreasingSigma()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricNoiseSchedule(0.05, 0.01));
        Assert.Contains("non-decreasing", ex.Message);
        Assert.Contains("sigmaMax = 0.01", ex.Message);
    }

    [Fact]
    public void RejectsTimesOutsideUnitInterval()
    {
        using var scope = NewDisposeScope();
        var schedule = new GeometricNoiseSchedule();
        Assert.Contains("received -0.1", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Sigma(-0.1)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Sigma(tensor(new[] { 0.5f, 2f }))).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Sigma(tensor(new[] { float.NaN }))).Message);
        Assert.Contains("rank 1", Assert.Throws<ArgumentException>(() => schedule.Sigma(zeros(2, 2))).Message);
    }
}
