using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public sealed class FidBootstrapTests
{
    const int Dimension = 4;

    // n draws of N(shift * 1, I) in D = 4 from a fixed generator.
    static Tensor Gaussian(int n, double shift, ulong seed)
    {
        using var generator = new Generator(seed);
        return randn([n, Dimension], dtype: ScalarType.Float64, generator: generator) + shift;
    }

    [Fact]
    public void TheEstimateIsTheDistanceOfTheFullSetsAndTheIntervalCoversTheTruth()
    {
        using var scope = NewDisposeScope();
        var generated = Gaussian(3000, 0.5, 1);
        var reference = Gaussian(5000, 0, 2);
        var interval = FidBootstrap.Interval(generated, reference, resamples: 100);
        using var first = FidStatistics.FromFeatures(generated);
        using var second = FidStatistics.FromFeatures(reference);
        Assert.Equal(FrechetDistance.Compute(first, second).Value, interval.Estimate, 1e-9);
        double truth = Dimension * 0.5 * 0.5;   // equal covariances: FID = |mu_1 - mu_2|^2 = 1
        Assert.InRange(truth, interval.Low, interval.High);
        Assert.True(interval.Low < interval.Estimate && interval.Estimate < interval.High);
    }

    [Fact]
    public void MoreSamplesGiveANarrowerInterval()
    {
        using var scope = NewDisposeScope();
        var reference = Gaussian(4000, 0, 2);
        var small = FidBootstrap.Interval(Gaussian(250, 0.5, 1), reference, resamples: 100);
        var large = FidBootstrap.Interval(Gaussian(4000, 0.5, 1), reference, resamples: 100);
        Assert.True(large.High - large.Low < 0.5 * (small.High - small.Low), $"{small} vs {large}");
    }

    [Fact]
    public void APairedDifferenceOfASetWithItselfIsExactlyZero()
    {
        using var scope = NewDisposeScope();
        var generated = Gaussian(500, 0.3, 1);
        var difference = FidBootstrap.Difference(generated, generated.clone(), Gaussian(800, 0, 2), resamples: 50);
        Assert.Equal((0.0, 0.0, 0.0), (difference.Estimate, difference.Low, difference.High));
    }

    [Fact]
    public void APairedDifferenceSeesAShiftThatIsSmallNextToTheSpreadOfEitherScore()
    {
        using var scope = NewDisposeScope();
        // Sample k of the second set is sample k of the first moved by 0.05 in every coordinate: FID differs by
        // 4 (0.55^2 - 0.5^2) = 0.21 in truth; each FID's own interval is wider than that, the paired one excludes 0.
        var first = Gaussian(1000, 0.5, 1);
        var second = first + 0.05;
        var reference = Gaussian(1000, 0, 2);
        var difference = FidBootstrap.Difference(second, first, reference, resamples: 100);
        var alone = FidBootstrap.Interval(first, reference, resamples: 100);
        Assert.True(difference.Low > 0, difference.ToString());
        Assert.InRange(Dimension * (0.55 * 0.55 - 0.25), difference.Low, difference.High);
        Assert.True(alone.High - alone.Low > difference.High - difference.Low);
    }

    [Fact]
    public void MismatchedShapesAreRefusedWithTheShapes()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => FidBootstrap.Difference(Gaussian(10, 0, 1), Gaussian(12, 0, 1), Gaussian(10, 0, 2)));
        Assert.Contains("[10, 4] and [12, 4]", ex.Message);
        var wrongDimension = Assert.Throws<ArgumentException>(() => FidBootstrap.Interval(Gaussian(10, 0, 1), zeros(10, 3)));
        Assert.Contains("[10, 4] and [10, 3]", wrongDimension.Message);
    }
}
