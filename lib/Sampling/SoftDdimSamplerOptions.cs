namespace SoftDiffusion.Sampling;

/// <summary>Options of the <see cref="SoftDdimSampler"/> (a reconstruction, docs/method.md §10.7).</summary>
/// <param name="Nu">Stochasticity nu in [0, 1]: 0 = deterministic (DDIM-like), 1 = the DDPM-posterior noise level.</param>
public sealed record SoftDdimSamplerOptions(double Nu = 0.0);
