using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>
/// Loss weighting normalised per t [choice]: the per-sample loss L_i at time t_i is divided by a running mean of the
/// loss at that t (t cut into <see cref="Bins"/> equal bins, each mean an EMA over steps), so that every t weighs
/// about 1 in the gradient whatever the scale of w(t) ||C_t (x0_hat - x_0)||^2 there (with w = 1 / sigma_t^2 it spans
/// ~10^2 .. 10^5 over t, and the smallest noise levels dominate). The weights are constants of the step (no gradient
/// flows through them). Its state is part of a checkpoint, so a resumed run continues exactly.
/// </summary>
public sealed class TimeBinnedLossNormaliser
{
    /// <summary>Number of equal bins of t in [0, 1].</summary>
    public const int Bins = 20;

    /// <summary>Decay of each bin's running mean per step in which the bin is seen.</summary>
    public const double Decay = 0.99;

    readonly double[] means = Enumerable.Repeat(double.NaN, Bins).ToArray();   // NaN: bin not seen yet

    /// <summary>The running means, one per bin (NaN where no sample has fallen yet), for checkpoints.</summary>
    public double[] State => (double[])means.Clone();

    /// <summary>Restores <see cref="State"/>.</summary>
    public void Restore(double[] state)
    {
        if (state.Length != Bins) throw new InvalidDataException($"Expected {Bins} loss normaliser bins, got {state.Length}.");
        state.CopyTo(means, 0);
    }

    /// <summary>Updates the running means with this batch, then returns L_i / mean(bin(t_i)) [B].</summary>
    /// <param name="perSample">Per-sample losses [B].</param>
    /// <param name="t">Their times [B] in [0, 1].</param>
    public Tensor Normalise(Tensor perSample, Tensor t)
    {
        var bins = t.cpu().data<float>().Select(Bin).ToArray();
        var losses = perSample.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        foreach (var group in Enumerable.Range(0, losses.Length).GroupBy(i => bins[i]))
        {
            double batchMean = group.Average(i => losses[i]);
            means[group.Key] = double.IsNaN(means[group.Key]) ? batchMean : Decay * means[group.Key] + (1 - Decay) * batchMean;
        }
        var scale = tensor(bins.Select(b => (float)(1 / means[b])).ToArray(), device: perSample.device);
        return perSample * scale.to(perSample.dtype);
    }

    static int Bin(float t) => Math.Clamp((int)(t * Bins), 0, Bins - 1);
}
