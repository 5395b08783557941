using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// A Soft Diffusion sampler (Section 3.3; Algorithms 1 and 2): from x_1 ~ p_1 down the grid t = 1, 1 - dt, ..., dt with
/// dt = 1/N, one denoiser evaluation per step (NFE = N). Every sampler has this signature (k-diffusion style), so an
/// ablation swaps the sampler and nothing else.
/// </summary>
public interface ISampler
{
    /// <summary>Runs N steps from x_1.</summary>
    /// <param name="denoiser">h: (x_t, t) -> x0_hat.</param>
    /// <param name="corruption">C_t.</param>
    /// <param name="schedule">sigma_t, positive and non-decreasing in t.</param>
    /// <param name="x1">Start x_1 [B, C, H, W], drawn by the caller from p_1. Not modified or disposed.</param>
    /// <param name="steps">N &gt;= 1, the number of steps and of network evaluations.</param>
    /// <param name="noise">Per-sample generators for the step noise eta (B of them); sample k's noise does not depend on B.</param>
    /// <param name="callback">Optional; called once per step after the step is computed.</param>
    /// <returns>The final x_0 and the last x0_hat (see <see cref="SamplerResult"/>).</returns>
    SamplerResult Sample(IDenoiser denoiser, ICorruption corruption, INoiseSchedule schedule, Tensor x1, int steps,
        PerSampleNoise noise, Action<SamplerStep>? callback = null);
}
