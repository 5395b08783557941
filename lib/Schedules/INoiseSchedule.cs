using static TorchSharp.torch;

namespace SoftDiffusion.Schedules;

/// <summary>
/// The noise level sigma_t of the forward process x_t = C_t x_0 + sigma_t eta (Soft Diffusion, Section 3).
/// Must be positive for every t (the theorem needs it) and non-decreasing in t (the Momentum Sampler takes
/// sqrt(sigma_t^2 - sigma_{t-dt}^2)).
/// </summary>
public interface INoiseSchedule
{
    /// <summary>sigma_t for a batch of times [B] in [0, 1]; returns [B], same dtype and device.</summary>
    Tensor Sigma(Tensor t);

    /// <summary>sigma_t for one time in [0, 1].</summary>
    double Sigma(double t);
}
