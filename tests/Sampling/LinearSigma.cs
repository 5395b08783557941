using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>Test-local sigma_t = a + b t, for schedules the samplers must reject (b &lt; 0, or a = 0).</summary>
sealed class LinearSigma(double a, double b) : INoiseSchedule
{
    public Tensor Sigma(Tensor t) => a + b * t;

    public double Sigma(double t) => a + b * t;
}
