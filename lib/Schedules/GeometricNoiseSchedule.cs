using static TorchSharp.torch;

namespace SoftDiffusion.Schedules;

/// <summary>
/// Geometric noise levels sigma_t = sigma_min (sigma_max / sigma_min)^t (Soft Diffusion, Section 3; the
/// "low magnitude" VE noise of the paper, geometric form and defaults 0.01 / 0.05 are [choice], docs/method.md §10.1).
/// Positive for every t and non-decreasing, as the theorem and the Momentum Sampler need.
/// </summary>
public sealed class GeometricNoiseSchedule : INoiseSchedule
{
    /// <summary>sigma at t = 0.</summary>
    public double SigmaMin { get; }

    /// <summary>sigma at t = 1.</summary>
    public double SigmaMax { get; }

    /// <param name="sigmaMin">sigma_0 &gt; 0 (default 0.01, [choice]).</param>
    /// <param name="sigmaMax">sigma_1 &gt;= sigma_0 (default 0.05, [choice]; readings of the paper give 0.05 to 0.1, docs/method.md §10.1).</param>
    public GeometricNoiseSchedule(double sigmaMin = 0.01, double sigmaMax = 0.05)
    {
        if (!(sigmaMin > 0) || double.IsInfinity(sigmaMin))
            throw new ArgumentOutOfRangeException(nameof(sigmaMin), sigmaMin, $"Expected sigmaMin > 0 and finite, received {sigmaMin}.");
        if (!(sigmaMax >= sigmaMin) || double.IsInfinity(sigmaMax))
            throw new ArgumentOutOfRangeException(nameof(sigmaMax), sigmaMax,
                $"Expected a non-decreasing schedule, sigmaMax >= sigmaMin = {sigmaMin} and finite, received sigmaMax = {sigmaMax}.");
        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
    }

    /// <summary>sigma_t for times [B] in [0, 1]; returns [B] in t's dtype and device.</summary>
    public Tensor Sigma(Tensor t)
    {
        TimeArguments.CheckVector(t, nameof(t));
        using var scope = NewDisposeScope();
        return (t * Math.Log(SigmaMax / SigmaMin)).exp().mul(SigmaMin).MoveToOuterDisposeScope();
    }

    /// <summary>sigma_t for one t in [0, 1].</summary>
    public double Sigma(double t)
    {
        TimeArguments.CheckScalar(t, nameof(t));
        return SigmaMin * Math.Pow(SigmaMax / SigmaMin, t);
    }
}
