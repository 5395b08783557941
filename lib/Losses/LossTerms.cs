using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>The pieces the per-sample losses share: the weight w(t) and the per-sample sum.</summary>
internal static class LossTerms
{
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
