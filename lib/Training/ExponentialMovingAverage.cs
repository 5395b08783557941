using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Exponential moving average of a network's weights, e := d_n e + (1 - d_n) w after update n (the EMA copy that
/// NCSN++/DDPM++ sample from). Buffers are copied, not averaged.
/// The decay warms up, d_n = min(d, (1 + n) / (10 + n)) (TensorFlow's ExponentialMovingAverage with num_updates)
/// [choice]: with a constant 0.999, the average after 750 updates still holds 0.999^750 = 47% of the random initial
/// weights, which ruins the sample grids of short CPU runs; from n = 8,990 on, d_n = d for d = 0.999.
/// </summary>
public sealed class ExponentialMovingAverage
{
    readonly nn.Module source;

    /// <summary>The averaged copy (eval mode, no gradients); sample from this.</summary>
    public nn.Module Average { get; }

    /// <summary>The largest decay d (reached once the warm-up allows it).</summary>
    public double Decay { get; }

    /// <param name="source">The trained network w.</param>
    /// <param name="average">A network of the same architecture; its weights are overwritten with w's.</param>
    /// <param name="decay">d in [0, 1].</param>
    public ExponentialMovingAverage(nn.Module source, nn.Module average, double decay)
    {
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "Expected a decay in [0, 1].");
        this.source = source;
        Average = average;
        Decay = decay;
        Average.load_state_dict(source.state_dict());
        foreach (var p in Average.parameters()) p.requires_grad = false;
        Average.eval();
    }

    /// <summary>The decay used by update <paramref name="update"/> (1-based): min(d, (1 + n) / (10 + n)).</summary>
    public double DecayAt(long update)
    {
        if (update < 1) throw new ArgumentOutOfRangeException(nameof(update), update, "Expected an update number >= 1.");
        return Math.Min(Decay, (1.0 + update) / (10.0 + update));
    }

    /// <summary>e := d_n e + (1 - d_n) w for every parameter, n = <paramref name="update"/> (the optimiser step
    /// just taken, 1-based); buffers e := w.</summary>
    public void Update(long update)
    {
        double decay = DecayAt(update);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (e, w) in Average.parameters().Zip(source.parameters()))
            e.mul_(decay).add_(w, alpha: 1 - decay);
        foreach (var (e, w) in Average.buffers().Zip(source.buffers()))
            e.copy_(w);
    }
}
