using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>Gradient clipping by global norm (Pascanu et al. 2013): if ||g|| > c, g := g c / ||g||.</summary>
public static class GradientClipping
{
    /// <summary>Rescales the gradients of <paramref name="parameters"/> in place so their joint L2 norm is at most
    /// <paramref name="maxNorm"/>; parameters without a gradient are skipped.</summary>
    /// <returns>The global norm before clipping.</returns>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        if (maxNorm <= 0) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Expected a positive maximum norm.");
        using var scope = NewDisposeScope();
        var withGradient = parameters.Where(p => p.grad is not null).ToList();
        if (withGradient.Count == 0) return 0;
        return nn.utils.clip_grad_norm_(withGradient, maxNorm);
    }
}
