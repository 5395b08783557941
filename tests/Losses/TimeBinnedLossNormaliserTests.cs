using SoftDiffusion.Losses;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Losses;

public sealed class TimeBinnedLossNormaliserTests
{
    [Fact]
    public void TheFirstBatchOfABinIsDividedByItsOwnMean()
    {
        using var scope = NewDisposeScope();
        var normaliser = new TimeBinnedLossNormaliser();
        // t = 0.01, 0.02 fall in bin 0 (mean 300), t = 0.97 in bin 19 (mean 4).
        var normalised = normaliser.Normalise(tensor(new float[] { 200, 400, 4 }), tensor(new float[] { 0.01f, 0.02f, 0.97f }));
        Assert.Equal(new[] { 200 / 300f, 400 / 300f, 1f }, normalised.data<float>().ToArray());
        var state = normaliser.State;
        Assert.Equal(300, state[0]);
        Assert.Equal(4, state[19]);
        Assert.True(double.IsNaN(state[5]));   // not seen yet
    }

    [Fact]
    public void LaterBatchesMoveTheMeanByOneMinusTheDecay()
    {
        using var scope = NewDisposeScope();
        var normaliser = new TimeBinnedLossNormaliser();
        normaliser.Normalise(tensor(new float[] { 100 }), tensor(new float[] { 0.5f }));
        var second = normaliser.Normalise(tensor(new float[] { 200 }), tensor(new float[] { 0.52f }));
        double mean = TimeBinnedLossNormaliser.Decay * 100 + (1 - TimeBinnedLossNormaliser.Decay) * 200;   // 101
        Assert.Equal(mean, normaliser.State[10], 1e-12);
        Assert.Equal(200 / mean, second.item<float>(), 1e-6);
    }

    [Fact]
    public void GradientsFlowThroughTheLossNotTheWeights()
    {
        using var scope = NewDisposeScope();
        var loss = tensor(new float[] { 2, 6 }, requires_grad: true);
        var normalised = new TimeBinnedLossNormaliser().Normalise(loss, tensor(new float[] { 0.3f, 0.31f }));
        normalised.sum().backward();
        Assert.Equal(new[] { 0.25f, 0.25f }, loss.grad!.data<float>().ToArray());   // d/dL (L / 4) with the bin mean 4 held fixed
    }

    [Fact]
    public void StateRoundTripsAndRejectsAnotherBinCount()
    {
        using var scope = NewDisposeScope();
        var normaliser = new TimeBinnedLossNormaliser();
        normaliser.Normalise(tensor(new float[] { 7, 9 }), tensor(new float[] { 0.1f, 0.9f }));
        var copy = new TimeBinnedLossNormaliser();
        copy.Restore(normaliser.State);
        Assert.Equal(normaliser.State, copy.State);
        var ex = Assert.Throws<InvalidDataException>(() => copy.Restore(new double[3]));
        Assert.Contains("Expected 20 loss normaliser bins, got 3", ex.Message);
    }
}
