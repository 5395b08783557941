namespace SoftDiffusion.Selection;

/// <summary>
/// How <see cref="ScheduleSelector"/> measures the distance between two corrupted distributions q_i, q_j
/// (docs/method.md §6.2; the paper's estimator is not known, both are [choice]). Both are in W2 units (not squared).
/// </summary>
public enum DistanceEstimator
{
    /// <summary>
    /// The coupling bound W2(q_i, q_j) &lt;= sqrt(E||(C_i - C_j) x_0||^2 + n (sigma_i - sigma_j)^2) (same x_0 and eta in
    /// both), in DCT form sum_kl (d_i,kl - d_j,kl)^2 sum_c E[X^_ckl^2] + n (sigma_i - sigma_j)^2.
    /// </summary>
    CouplingBound,

    /// <summary>
    /// The Frechet distance between Gaussian fits of the corrupted data that are diagonal in the DCT basis (per channel
    /// and frequency: mean d m, variance d^2 v + sigma^2), closed form
    /// sqrt(sum_ckl (d_i - d_j)^2 m^2 + (sqrt(d_i^2 v + sigma_i^2) - sqrt(d_j^2 v + sigma_j^2))^2).
    /// Cross-frequency and cross-channel correlations are ignored. Never exceeds the coupling bound (Minkowski).
    /// </summary>
    DiagonalFrechet,
}
