using static TorchSharp.torch;

namespace SoftDiffusion.Schedules;

/// <summary>
/// Noise that rises geometrically and then stays: sigma_t = sigma_min (sigma_max / sigma_min)^(t / t_p) for
/// t &lt; t_p and sigma_max from t_p on (Soft Diffusion, Section 3, "low magnitude" noise; the plateau is [choice],
/// following the reading of the paper's schedule that rises to about 0.1 by t = 0.25 and stays there). Positive and
/// non-decreasing, as the theorem and the Momentum Sampler need; on the plateau the Momentum Sampler adds no noise.
/// </summary>
public sealed class PlateauNoiseSchedule : INoiseSchedule
{
    /// <summary>sigma at t = 0.</summary>
    public double SigmaMin { get; }

    /// <summary>sigma on the plateau t &gt;= t_p.</summary>
    public double SigmaMax { get; }

    /// <summary>t_p, where the plateau starts.</summary>
    public double PlateauFrom { get; }

    /// <param name="sigmaMin">sigma_0 &gt; 0.</param>
    /// <param name="sigmaMax">sigma on the plateau, &gt;= sigma_0.</param>
    /// <param name="plateauFrom">t_p in (0, 1].</param>
    public PlateauNoiseSchedule(double sigmaMin, double sigmaMax, double plateauFrom)
    {
        if (!(sigmaMin > 0) || !(sigmaMax >= sigmaMin) || double.IsInfinity(sigmaMax))
            throw new ArgumentOutOfRangeException(nameof(sigmaMax), sigmaMax,
                $"Expected 0 < sigmaMin <= sigmaMax, finite, received sigmaMin = {sigmaMin} and sigmaMax = {sigmaMax}.");
        if (!(plateauFrom > 0 && plateauFrom <= 1))
            throw new ArgumentOutOfRangeException(nameof(plateauFrom), plateauFrom, $"Expected a plateau start in (0, 1], received {plateauFrom}.");
        (SigmaMin, SigmaMax, PlateauFrom) = (sigmaMin, sigmaMax, plateauFrom);
    }

    /// <summary>sigma_t for times [B] in [0, 1]; returns [B] in t's dtype and device.</summary>
    public Tensor Sigma(Tensor t)
    {
        TimeArguments.CheckVector(t, nameof(t));
        using var scope = NewDisposeScope();
        var rise = (t / PlateauFrom).clamp_max(1);                        // min(t / t_p, 1)
        return (rise * Math.Log(SigmaMax / SigmaMin)).exp().mul(SigmaMin).MoveToOuterDisposeScope();
    }

    /// <summary>sigma_t for one t in [0, 1].</summary>
    public double Sigma(double t)
    {
        TimeArguments.CheckScalar(t, nameof(t));
        return SigmaMin * Math.Pow(SigmaMax / SigmaMin, Math.Min(t / PlateauFrom, 1));
    }
}
