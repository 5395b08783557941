using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// A DDIM-like Soft Diffusion sampler with a stochasticity knob nu (the TMLR version of the paper has one; its exact
/// equations are not available, so this is the project's reconstruction [choice], docs/method.md §10.7):
/// <c>x_{t-dt} = C_{t-dt} x0_hat + sqrt(sigma_{t-dt}^2 - c^2) (x_t - C_t x0_hat) / sigma_t + c z</c>,
/// <c>c = nu sigma_{t-dt} sqrt(1 - sigma_{t-dt}^2 / sigma_t^2)</c>. With nu = 0 it draws no noise (deterministic);
/// with C_t = I it is DDIM for the VE process.
/// </summary>
public sealed class SoftDdimSampler : TimeGridSampler
{
    readonly double nu;

    /// <summary>A Soft DDIM sampler; throws if nu is outside [0, 1].</summary>
    /// <param name="nu">Stochasticity nu in [0, 1]: 0 = deterministic (DDIM-like), 1 = the DDPM-posterior noise level.</param>
    public SoftDdimSampler(double nu = 0.0)
    {
        if (!(nu >= 0 && nu <= 1))
            throw new ArgumentOutOfRangeException(nameof(nu), nu, "Expected nu in [0, 1].");
        this.nu = nu;
    }

    /// <summary>Stochasticity nu in [0, 1].</summary>
    public double Nu => nu;

    /// <inheritdoc/>
    protected override Tensor Step(SamplerStep step, ICorruption corruption, PerSampleNoise noise)
    {
        var (xT, x0Hat) = (step.XT, step.X0Hat);
        double ratio2 = step.SigmaNext * step.SigmaNext / (step.Sigma * step.Sigma);
        double c = nu * step.SigmaNext * Math.Sqrt(1 - ratio2);                                 // c = nu s' sqrt(1 - s'^2/s^2)
        double keep = Math.Sqrt(step.SigmaNext * step.SigmaNext - c * c) / step.Sigma;          // sqrt(s'^2 - c^2) / s
        var epsHat = xT - corruption.Apply(x0Hat, Times(step.T, xT));                           // x_t - C_t x0_hat
        var xNext = corruption.Apply(x0Hat, Times(step.TNext, xT)) + keep * epsHat;             // C_{t-dt} x0_hat + keep (x_t - C_t x0_hat)
        return nu == 0 ? xNext : xNext + c * Eta(noise, xT);                                    // + c z
    }
}
