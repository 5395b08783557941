using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// The Naive Sampler (Soft Diffusion, Algorithm 1 [paper]): re-corrupt the current clean estimate at the next level,
/// <c>x_{t-dt} = C_{t-dt} x0_hat + sigma_{t-dt} eta</c>. It forgets x_t except through x0_hat; the paper's Figure 4
/// contrasts it with the <see cref="MomentumSampler"/>.
/// </summary>
public sealed class NaiveSampler : TimeGridSampler
{
    /// <inheritdoc/>
    protected override Tensor Step(SamplerStep step, ICorruption corruption, PerSampleNoise noise)
    {
        var x0Hat = step.X0Hat;
        return corruption.Apply(x0Hat, Times(step.TNext, x0Hat)) + step.SigmaNext * Eta(noise, x0Hat);   // C_{t-dt} x0_hat + sigma_{t-dt} eta
    }
}
