using SoftDiffusion.Sampling;

namespace SoftDiffusion.Experiments;

/// <summary>The samplers of the workbook (docs/method.md §4), by name, for sweeps and cached scores.</summary>
public enum SamplerKind
{
    /// <summary>Algorithm 1: x_{t-dt} = C_{t-dt} x0_hat + sigma_{t-dt} eta.</summary>
    Naive,
    /// <summary>Algorithm 2, the paper's sampler.</summary>
    Momentum,
    /// <summary>The deterministic Soft DDIM (nu = 0), a reconstruction [choice].</summary>
    SoftDdim,
    /// <summary>EDM's Heun sampler of the VE ODE (Karras et al. 2022), for C_t = I only; NFE = 2 x its steps.</summary>
    EdmHeun,
}

/// <summary>Builds the sampler of a <see cref="SamplerKind"/>.</summary>
public static class Samplers
{
    /// <summary>A new sampler of the given kind (Soft DDIM with nu = 0).</summary>
    public static ISampler Create(SamplerKind kind) => kind switch
    {
        SamplerKind.Naive => new NaiveSampler(),
        SamplerKind.Momentum => new MomentumSampler(),
        SamplerKind.SoftDdim => new SoftDdimSampler(),
        SamplerKind.EdmHeun => new EdmHeunSampler(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected Naive, Momentum, SoftDdim or EdmHeun."),
    };
}
