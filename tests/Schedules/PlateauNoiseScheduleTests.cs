using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Schedules;

public sealed class PlateauNoiseScheduleTests
{
    [Fact]
    public void RisesGeometricallyThenStaysAtSigmaMax()
    {
        var schedule = new PlateauNoiseSchedule(0.01, 0.1, plateauFrom: 0.25);
        Assert.Equal(0.01, schedule.Sigma(0.0), 1e-17);
        Assert.Equal(0.01 * Math.Sqrt(10), schedule.Sigma(0.125), 1e-15);   // half-way to the plateau: sqrt of the ratio
        Assert.Equal(0.1, schedule.Sigma(0.25), 1e-16);
        Assert.Equal(0.1, schedule.Sigma(0.6), 1e-16);
        Assert.Equal(0.1, schedule.Sigma(1.0), 1e-16);
    }

    [Fact]
    public void PlateauAtOneIsTheGeometricSchedule()
    {
        var plateau = new PlateauNoiseSchedule(0.01, 0.05, plateauFrom: 1);
        var geometric = new GeometricNoiseSchedule(0.01, 0.05);
        foreach (double t in new[] { 0, 0.1, 0.37, 0.9, 1 }) Assert.Equal(geometric.Sigma(t), plateau.Sigma(t), 1e-16);
    }

    [Fact]
    public void TensorAndScalarAgreeAndNeverDecrease()
    {
        using var scope = NewDisposeScope();
        var schedule = new PlateauNoiseSchedule(0.01, 0.2, plateauFrom: 0.25);
        var times = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
        var sigma = schedule.Sigma(tensor(times, dtype: ScalarType.Float64)).data<double>().ToArray();
        for (var i = 0; i < times.Length; i++) Assert.Equal(schedule.Sigma(times[i]), sigma[i], 1e-15);
        Assert.True(sigma.Zip(sigma.Skip(1)).All(p => p.Second >= p.First));
    }

    [Theory]
    [InlineData(0.01, 0.1, 0.0, "plateau start in (0, 1]")]
    [InlineData(0.01, 0.1, 1.5, "plateau start in (0, 1]")]
    [InlineData(0.1, 0.01, 0.25, "sigmaMin <= sigmaMax")]
    [InlineData(0.0, 0.1, 0.25, "0 < sigmaMin")]
    public void RejectsInvalidSettings(double sigmaMin, double sigmaMax, double plateauFrom, string expected)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PlateauNoiseSchedule(sigmaMin, sigmaMax, plateauFrom));
        Assert.Contains(expected, ex.Message);
    }
}
