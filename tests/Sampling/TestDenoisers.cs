using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>Denoisers for sampler and loss contracts.</summary>
static class TestDenoisers
{
    /// <summary>A fixed nonlinear map, so the tests do not depend on a special structure of x0_hat.</summary>
    public static FunctionDenoiser Nonlinear() => new((x, t) => 0.8 * tanh(x) + 0.1 * t.view(-1, 1, 1, 1) * x.roll(1, 3));
}
