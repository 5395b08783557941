using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// One step of a sampler on the grid t = 1, 1 - dt, ..., dt (Soft Diffusion, Algorithms 1 and 2): the state x_t at time
/// <see cref="T"/>, the denoiser output x0_hat = h(x_t, t), and the time it steps to. Passed to the per-step callback.
/// </summary>
/// <param name="Index">Step index i = 0 .. N-1 (the network evaluation number).</param>
/// <param name="T">t = 1 - i / N.</param>
/// <param name="TNext">t - dt = 1 - (i + 1) / N (0 at the last step).</param>
/// <param name="Sigma">sigma_t.</param>
/// <param name="SigmaNext">sigma_{t-dt}.</param>
/// <param name="XT">x_t [B, C, H, W]. Valid only during the callback (the step's dispose scope frees it); to keep it, use
/// <c>XT.clone().MoveToOuterDisposeScope()</c> (the callback runs inside the step's scope, so this lands in the caller's).</param>
/// <param name="X0Hat">x0_hat = h(x_t, t) [B, C, H, W]. Valid only during the callback; keep it as <see cref="XT"/>.</param>
public sealed record SamplerStep(int Index, double T, double TNext, double Sigma, double SigmaNext, Tensor XT, Tensor X0Hat);
