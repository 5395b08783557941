using SoftDiffusion.Evaluation;

namespace SoftDiffusion.Tests.Evaluation;

public class NormalIntervalTests
{
    [Fact]
    public void TheMeanOfValuesHasTheStandardErrorOfItsSampleDeviation()
    {
        // 1, 2, 3, 4: mean 2.5, s^2 = 5/3, standard error sqrt(5/3 / 4) = 0.645497.
        var interval = NormalInterval.OfMean([1.0, 2, 3, 4]);
        Assert.Equal(2.5, interval.Estimate, 12);
        Assert.Equal(Math.Sqrt(5.0 / 12), interval.StandardError, 12);
        Assert.Equal(2.5 - 1.959964 * Math.Sqrt(5.0 / 12), interval.Low, 12);
        Assert.Equal("2.50 [1.23, 3.77]", interval.ToString());
        Assert.Equal("0.125", new NormalInterval(0.125, 0).ToString("F3"));   // a closed form has no interval
    }

    [Fact]
    public void ARatioCarriesBothRelativeErrors()
    {
        // a = 6 ± 0.3 (5%), b = 3 ± 0.12 (4%): r = 2, se = 2 sqrt(0.05^2 + 0.04^2).
        var ratio = NormalInterval.Ratio(new NormalInterval(6, 0.3), new NormalInterval(3, 0.12));
        Assert.Equal(2, ratio.Estimate, 12);
        Assert.Equal(2 * Math.Sqrt(0.05 * 0.05 + 0.04 * 0.04), ratio.StandardError, 12);
        Assert.Equal(0, NormalInterval.Ratio(new NormalInterval(0, 0.1), new NormalInterval(2, 0)).Estimate);
        Assert.Equal(0.05, NormalInterval.Ratio(new NormalInterval(0, 0.1), new NormalInterval(2, 0)).StandardError, 12);
        var scaled = new NormalInterval(6, 0.3).DividedBy(-3);
        Assert.Equal(-2, scaled.Estimate, 12);
        Assert.Equal(0.1, scaled.StandardError, 12);
    }

    [Fact]
    public void BadInputSaysWhatWasExpected()
    {
        Assert.Contains("at least 2 values", Assert.Throws<ArgumentException>(() => NormalInterval.OfMean([1.0])).Message);
        Assert.Contains("non-zero denominator", Assert.Throws<ArgumentException>(() => NormalInterval.Ratio(new(1, 0), new(0, 1))).Message);
    }
}
