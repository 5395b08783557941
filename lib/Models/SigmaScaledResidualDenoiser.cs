using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// The NCSN++ VE parametrisation (Song et al. 2021, score_sde's <c>scale_by_sigma</c>): the network's output is a
/// score times sigma_t, s = phi / sigma_t, so <c>x0_hat = x_t + sigma_t^2 s = x_t + sigma_t phi_theta(x_t, t)</c>.
/// The workbook's C_t = I baseline uses it [choice]: with noise up to sigma_1 = 50 the plain residual
/// x0_hat = phi + x_t would have to output -sigma_t eta, values of order 50, which a network trained for minutes does
/// not learn (measured: at sigma 9 its x0_hat was as far from x_0 as x_t itself), while here phi is of order 1 at
/// every t. For blur with sigma_t &lt;= 0.05 it would be the wrong choice (the deblurring residual is of order 1, not
/// sigma_t), so the blur recipes keep <see cref="ResidualDenoiser"/>.
/// </summary>
public sealed class SigmaScaledResidualDenoiser : IDenoiser
{
    readonly INoiseSchedule noise;

    /// <summary>The network phi_theta: (x_t, t) -> (x_0 - x_t) / sigma_t.</summary>
    public nn.Module<Tensor, Tensor, Tensor> Network { get; }

    /// <param name="network">phi_theta.</param>
    /// <param name="noise">sigma_t.</param>
    public SigmaScaledResidualDenoiser(nn.Module<Tensor, Tensor, Tensor> network, INoiseSchedule noise) =>
        (Network, this.noise) = (network, noise);

    /// <summary>x0_hat = x_t + sigma_t phi_theta(x_t, t).</summary>
    /// <param name="xT">Corrupted images x_t [B, C, H, W].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    public Tensor Denoise(Tensor xT, Tensor t)
    {
        using var scope = NewDisposeScope();
        var phi = NetworkOutput.ShapedLike(Network.call(xT, t), xT);
        var sigma = noise.Sigma(t).to(xT.dtype, xT.device).view(-1, 1, 1, 1);
        return (xT + sigma * phi).MoveToOuterDisposeScope();
    }
}
