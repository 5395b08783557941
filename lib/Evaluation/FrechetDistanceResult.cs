namespace SoftDiffusion.Evaluation;

/// <summary>
/// The squared Frechet distance between two Gaussians, d^2 = ||mu_1 - mu_2||^2 + Tr(S_1) + Tr(S_2) - 2 Tr((S_1 S_2)^{1/2})
/// (the FID when the Gaussians are fitted to Inception features; docs/method.md §7.1), with its two terms.
/// </summary>
/// <param name="Value">d^2, the number reported as FID. Not clamped: round-off can make it a tiny negative number for equal inputs.</param>
/// <param name="MeanTerm">||mu_1 - mu_2||^2.</param>
/// <param name="CovarianceTerm">Tr(S_1) + Tr(S_2) - 2 Tr((S_1 S_2)^{1/2}).</param>
/// <param name="Dimension">Feature dimension D.</param>
/// <param name="SingularCovariance">
/// True when a sample covariance was estimated from N &lt;= D vectors, so it is singular and the distance is biased
/// and unstable; false for exact moments.
/// </param>
/// <param name="FirstCount">N of the first set, when the moments were estimated from samples.</param>
/// <param name="SecondCount">N of the second set, when the moments were estimated from samples.</param>
public sealed record FrechetDistanceResult(
    double Value,
    double MeanTerm,
    double CovarianceTerm,
    int Dimension,
    bool SingularCovariance = false,
    long? FirstCount = null,
    long? SecondCount = null)
{
    /// <summary>A sentence to print next to the score when <see cref="SingularCovariance"/> is set; null otherwise.</summary>
    public string? Warning => SingularCovariance
        ? $"Singular covariance: {FirstCount} and {SecondCount} samples for {Dimension}-dimensional features " +
          "(need more samples than dimensions); the distance is biased and not comparable with published values."
        : null;
}
