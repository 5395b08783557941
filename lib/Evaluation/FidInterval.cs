namespace SoftDiffusion.Evaluation;

/// <summary>A Frechet distance (or a difference of two) with a bootstrap percentile interval.</summary>
/// <param name="Estimate">The value on the full feature sets.</param>
/// <param name="Low">Lower end of the interval (the (1 - level) / 2 quantile of the resampled values).</param>
/// <param name="High">Upper end of the interval.</param>
/// <param name="Level">Coverage of the interval, e.g. 0.95.</param>
/// <param name="Resamples">Bootstrap resamples behind it.</param>
public sealed record FidInterval(double Estimate, double Low, double High, double Level, int Resamples)
{
    /// <summary>"12.3 [11.8, 12.9]".</summary>
    public override string ToString() => $"{Estimate:F1} [{Low:F1}, {High:F1}]";
}
