using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Exponential moving average of a network's weights, e := d e + (1 - d) w after every optimiser step (the EMA
/// copy that NCSN++/DDPM++ sample from). Buffers are copied, not averaged.
/// </summary>
public sealed class ExponentialMovingAverage
{
    readonly nn.Module source;

    /// <summary>The averaged copy (eval mode, no gradients); sample from this.</summary>
    public nn.Module Average { get; }

    /// <summary>Decay d.</summary>
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

    /// <summary>e := d e + (1 - d) w for every parameter; buffers e := w.</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (e, w) in Average.parameters().Zip(source.parameters()))
            e.mul_(Decay).add_(w, alpha: 1 - Decay);
        foreach (var (e, w) in Average.buffers().Zip(source.buffers()))
            e.copy_(w);
    }
}
