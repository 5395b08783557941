using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>Test-local sigma_t = sigma_min (sigma_max / sigma_min)^t (method.md section 1 default form).</summary>
sealed class GeometricSigma(double sigmaMin = 0.01, double sigmaMax = 0.1) : INoiseSchedule
{
    public Tensor Sigma(Tensor t) => sigmaMin * pow(sigmaMax / sigmaMin, t);

    public double Sigma(double t) => sigmaMin * Math.Pow(sigmaMax / sigmaMin, t);
}
