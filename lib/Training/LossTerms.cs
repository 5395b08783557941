using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>The pieces the per-sample losses share: input checks, the forward sample x_t and the weight w(t).</summary>
internal static class LossTerms
{
    /// <summary>Throws unless x0 is [B, C, H, W], t is [B] and eta has the shape of x0.</summary>
    public static void CheckShapes(Tensor x0, Tensor t, Tensor eta)
    {
        if (x0.dim() != 4)
            throw new ArgumentException($"Expected x0 of shape [B, C, H, W]; got [{string.Join(", ", x0.shape)}].", nameof(x0));
        if (t.dim() != 1 || t.shape[0] != x0.shape[0])
            throw new ArgumentException($"Expected t of shape [{x0.shape[0]}]; got [{string.Join(", ", t.shape)}].", nameof(t));
        if (!eta.shape.SequenceEqual(x0.shape))
            throw new ArgumentException($"Expected eta of shape [{string.Join(", ", x0.shape)}]; got [{string.Join(", ", eta.shape)}].", nameof(eta));
    }

    /// <summary>x_t = C_t x_0 + sigma_t eta (Soft Diffusion, Section 3) and sigma_t [B] in the dtype of x0.</summary>
    public static (Tensor xT, Tensor sigma) ForwardSample(ICorruption corruption, INoiseSchedule schedule, Tensor x0, Tensor t, Tensor eta)
    {
        var sigma = schedule.Sigma(t).to(x0.dtype);
        var xT = corruption.Apply(x0, t) + sigma.view(-1, 1, 1, 1) * eta;
        return (xT, sigma);
    }

    /// <summary>w(t) [B] for a weighting and sigma_t [B].</summary>
    public static Tensor Weight(LossWeighting weighting, Tensor sigma) => weighting switch
    {
        LossWeighting.InverseSigmaSquared => sigma.square().reciprocal(),
        LossWeighting.Unit => ones_like(sigma),
        LossWeighting.InverseTwoSigmaFourth => (2 * sigma.pow(4)).reciprocal(),
        _ => throw new ArgumentOutOfRangeException(nameof(weighting), weighting, "Unknown loss weighting."),
    };

    /// <summary>Sum over all pixels of each sample: [B, ...] -> [B].</summary>
    public static Tensor SumPerSample(Tensor x) => x.flatten(1).sum(1);
}
