namespace SoftDiffusion.Experiments;

/// <summary>How a <see cref="TrainingRecipe"/> turns the network phi into the denoiser x0_hat (docs/method.md §3.1, §10.3).</summary>
public enum DenoiserKind
{
    /// <summary>x0_hat = phi + x_t (Soft Diffusion's residual parametrisation).</summary>
    Residual,
    /// <summary>x0_hat = x_t + sigma_t phi (NCSN++ VE's scale-by-sigma), for large noise.</summary>
    SigmaScaledResidual,
}
