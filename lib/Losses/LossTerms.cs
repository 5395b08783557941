using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Losses;

/// <summary>The pieces the per-sample losses share: the denoiser's x0_hat at x_t, the weight w(t) and the weighted
/// per-sample sum of a squared error.</summary>
internal static class LossTerms
{
    /// <summary>x0_hat = h(x_t, t) at x_t = C_t x_0 + sigma_t eta (the shapes checked by the process), and sigma_t [B] in
    /// x_0's dtype.</summary>
    public static (Tensor X0Hat, Tensor Sigma) Denoise(CorruptionProcess process, IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
    {
        var xT = process.Sample(x0, t, eta);
        return (denoiser.Denoise(xT, t), process.Noise.Sigma(t).to(x0.dtype));
    }

    /// <summary>w(t) ||error||^2 per sample [B].</summary>
    public static Tensor Weighted(LossWeighting weighting, Tensor sigma, Tensor error) => Weight(weighting, sigma) * SumPerSample(error.square());

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
