using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// EDM's deterministic second-order sampler for C_t = I (Karras et al. 2022, "Elucidating the Design Space of
/// Diffusion-Based Generative Models", Algorithm 1): the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma
/// integrated with Heun's method on the noise levels
/// <c>sigma_i = (sigma_max^(1/rho) + i / N (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho</c>, i = 0 .. N, rho = 7, from
/// sigma_max = sigma(1) to sigma_min = sigma(0). The strongest standard sampler of VE models, the baseline the paper's "fewer NFE" claim
/// should be measured against. Two network evaluations per step: with an NFE budget <c>steps</c> it takes
/// N = steps / 2 Heun steps (at least 1), NFE = 2N. It ends at sigma(0) = sigma_min &gt; 0 like the other samplers of
/// the workbook (their final state carries the residual noise sigma_min), rather than jumping to sigma = 0.
/// </summary>
/// <param name="Rho">Spacing exponent rho of the noise levels (EDM: 7).</param>
public sealed class EdmHeunSampler(double Rho = 7) : ISampler
{
    /// <inheritdoc/>
    /// <remarks>Only for <see cref="IdentityCorruption"/>; <paramref name="noise"/> is not used (the sampler is
    /// deterministic given x_1). The callback sees one <see cref="SamplerStep"/> per Heun step, with the first evaluation's x0_hat.</remarks>
    public SamplerResult Sample(IDenoiser denoiser, ICorruption corruption, INoiseSchedule schedule, Tensor x1, int steps,
        PerSampleNoise noise, Action<SamplerStep>? callback = null)
    {
        if (corruption is not IdentityCorruption)
            throw new ArgumentException($"EDM's Heun sampler integrates the VE ODE and needs C_t = I; got {corruption.GetType().Name}.", nameof(corruption));
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Expected an NFE budget of at least 2 (one Heun step).");
        int n = steps / 2;
        var sigmas = Levels(schedule.Sigma(1.0), schedule.Sigma(0.0), n);
        using var noGrad = no_grad();
        Tensor x = x1, x0Hat = x1;
        for (int i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            double t = TimeOf(schedule, sigmas[i]), tNext = TimeOf(schedule, sigmas[i + 1]);
            var x0HatT = Denoise(denoiser, x, t);
            var d = (x - x0HatT) / sigmas[i];                                                    // d_i = (x_i - D(x_i; sigma_i)) / sigma_i
            var xEuler = x + (sigmas[i + 1] - sigmas[i]) * d;                                   // Euler step to sigma_{i+1}
            var dNext = (xEuler - Denoise(denoiser, xEuler, tNext)) / sigmas[i + 1];            // d' at sigma_{i+1}
            var xNext = x + (sigmas[i + 1] - sigmas[i]) * 0.5 * (d + dNext);                    // Heun: the average slope
            callback?.Invoke(new SamplerStep(i, t, tNext, sigmas[i], sigmas[i + 1], x, x0HatT));
            if (i > 0) { x.Dispose(); x0Hat.Dispose(); }
            x = xNext.MoveToOuterDisposeScope();
            x0Hat = x0HatT.MoveToOuterDisposeScope();
        }
        return new SamplerResult(x, x0Hat);
    }

    /// <summary>The N + 1 levels sigma_0 = sigma_max &gt; ... &gt; sigma_N = sigma_min, spaced by rho (EDM eq. 5).</summary>
    public double[] Levels(double sigmaMax, double sigmaMin, int n)
    {
        double a = Math.Pow(sigmaMax, 1 / Rho), b = Math.Pow(sigmaMin, 1 / Rho);
        return Enumerable.Range(0, n + 1).Select(i => Math.Pow(a + (double)i / n * (b - a), Rho)).ToArray();
    }

    static Tensor Denoise(IDenoiser denoiser, Tensor x, double t) =>
        denoiser.Denoise(x, full(x.shape[0], t, dtype: x.dtype, device: x.device));

    // The t with sigma(t) = sigma on a non-decreasing schedule, by bisection to double precision.
    static double TimeOf(INoiseSchedule schedule, double sigma)
    {
        double lo = 0, hi = 1;
        for (int k = 0; k < 60 && hi - lo > 1e-15; k++)
        {
            double mid = 0.5 * (lo + hi);
            if (schedule.Sigma(mid) < sigma) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
