using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// The Momentum Sampler (Soft Diffusion, Algorithm 2 [paper], verbatim). In closed form [derived]:
/// <c>x_{t-dt} = C_{t-dt} x0_hat + (sigma_{t-dt}^2 / sigma_t^2)(x_t - C_t x0_hat) + sqrt(sigma_t^2 - sigma_{t-dt}^2) eta</c>;
/// with C_t = I it is the VE reverse-SDE (Euler–Maruyama / ancestral) step.
/// </summary>
public sealed class MomentumSampler : TimeGridSampler
{
    /// <inheritdoc/>
    protected override Tensor Step(SamplerStep step, ICorruption corruption, PerSampleNoise noise)
    {
        var (xT, x0Hat) = (step.XT, step.X0Hat);
        double sigma2 = step.Sigma * step.Sigma, sigmaNext2 = step.SigmaNext * step.SigmaNext;
        var yT = corruption.Apply(x0Hat, Times(step.T, xT));                                    // y_t = C_t x0_hat
        var epsHat = yT - xT;                                                                   // eps_hat = y_t - x_t
        var z = xT - ((sigmaNext2 - sigma2) / sigma2) * epsHat
                + Math.Sqrt(sigma2 - sigmaNext2) * Eta(noise, xT);                              // z = x_t - ((s'^2 - s^2)/s^2) eps_hat + sqrt(s^2 - s'^2) eta
        return z + corruption.Apply(x0Hat, Times(step.TNext, xT)) - yT;                         // x_{t-dt} = z + C_{t-dt} x0_hat - y_t
    }
}
