using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>Test-local denoiser from a function (x_t, t) -> x0_hat; counts its evaluations.</summary>
sealed class FunctionDenoiser(Func<Tensor, Tensor, Tensor> h) : IDenoiser
{
    /// <summary>A fixed nonlinear map, so the tests do not depend on a special structure of x0_hat.</summary>
    public static FunctionDenoiser Nonlinear() => new((x, t) => 0.8 * tanh(x) + 0.1 * t.view(-1, 1, 1, 1) * x.roll(1, 3));

    public int Evaluations { get; private set; }

    public Tensor Denoise(Tensor xT, Tensor t)
    {
        Evaluations++;
        return h(xT, t);
    }
}
