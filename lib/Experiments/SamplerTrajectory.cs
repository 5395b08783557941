using SoftDiffusion.Sampling;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// Snapshots of a sampler's run (notebook 05, the trajectories of x_t and x0_hat): at evenly spaced steps, the state
/// x_t and the denoiser's x0_hat = h(x_t, t) of a few samples, plus the final x_0.
/// </summary>
public sealed class SamplerTrajectory : IDisposable
{
    /// <summary>The times t of the snapshots, from 1 down.</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>x_t at each snapshot [S, B, C, H, W] (CPU).</summary>
    public Tensor XT { get; }

    /// <summary>x0_hat at each snapshot [S, B, C, H, W] (CPU).</summary>
    public Tensor X0Hat { get; }

    /// <summary>The sampler's final x_0 [B, C, H, W] (CPU).</summary>
    public Tensor Final { get; }

    SamplerTrajectory(IReadOnlyList<double> times, Tensor xt, Tensor x0Hat, Tensor final) =>
        (Times, XT, X0Hat, Final) = (times, xt, x0Hat, final);

    /// <summary>Runs <paramref name="sampler"/> on samples 0 .. count - 1 of <paramref name="model"/> (seed
    /// <paramref name="seed"/>, as in <see cref="TrainedModel.Generate"/>) and keeps <paramref name="snapshots"/>
    /// evenly spaced steps, the first and the last included.</summary>
    public static SamplerTrajectory Record(TrainedModel model, ISampler sampler, int count, int steps, long seed, int snapshots = 8)
    {
        if (snapshots < 2 || snapshots > steps)
            throw new ArgumentOutOfRangeException(nameof(snapshots), snapshots, $"Expected 2 to {steps} (the sampler steps) snapshots.");
        var keep = Enumerable.Range(0, snapshots).Select(k => (int)Math.Round(k * (steps - 1) / (double)(snapshots - 1))).ToHashSet();
        var times = new List<double>();
        var xt = new List<Tensor>();
        var x0Hat = new List<Tensor>();
        try
        {
            using var result = model.Generate(sampler, count, steps, seed, callback: step =>
            {
                if (!keep.Contains(step.Index)) return;
                times.Add(step.T);
                xt.Add(step.XT.cpu().clone().DetachFromDisposeScope());
                x0Hat.Add(step.X0Hat.cpu().clone().DetachFromDisposeScope());
            });
            return new SamplerTrajectory(times, stack(xt).DetachFromDisposeScope(), stack(x0Hat).DetachFromDisposeScope(),
                result.X.cpu().clone().DetachFromDisposeScope());
        }
        finally
        {
            foreach (var t in xt.Concat(x0Hat)) t.Dispose();
        }
    }

    /// <summary>A grid with two rows per sample, x_t over the snapshots and then the final x_0, and below it x0_hat
    /// over the snapshots and again the final x_0.</summary>
    public ImageGrid Grid()
    {
        using var scope = NewDisposeScope();
        long samples = Final.shape[0];
        var rows = new List<Tensor>();
        for (long b = 0; b < samples; b++)
        {
            rows.Add(cat([XT.select(1, b), Final.narrow(0, b, 1)], 0));
            rows.Add(cat([X0Hat.select(1, b), Final.narrow(0, b, 1)], 0));
        }
        return ImageGrid.From(cat(rows, 0), columns: Times.Count + 1);
    }

    public void Dispose()
    {
        XT.Dispose();
        X0Hat.Dispose();
        Final.Dispose();
    }
}
