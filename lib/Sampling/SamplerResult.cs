using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// The output of a sampler (docs/method.md §4.4, "report both"): the last state and the last denoised estimate.
/// The caller owns both tensors (dispose the result when done).
/// </summary>
/// <param name="X">The final state x_0 after the last step (t = dt to t = 0): a sample of q_0 = N(C_0 x_0, sigma_0^2 I),
/// i.e. still carrying the residual noise sigma_0 = sigma_min and the (near-identity) C_0. This is the sample whose
/// distribution matches the data (the Gaussian tests score this one).</param>
/// <param name="X0Hat">The last denoiser output x0_hat = h(x_dt, dt), the "denoised" image (no residual noise; a posterior
/// mean, so less spread than the data). Which one FID scores is the caller's choice and must be stated.</param>
public sealed record SamplerResult(Tensor X, Tensor X0Hat) : IDisposable
{
    public void Dispose()
    {
        X.Dispose();
        X0Hat.Dispose();
    }
}
