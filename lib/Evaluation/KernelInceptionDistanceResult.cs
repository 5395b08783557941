namespace SoftDiffusion.Evaluation;

/// <summary>Kernel Inception Distance: the unbiased MMD^2 estimate of each subset pair, their mean and spread.</summary>
/// <param name="PerSubset">Unbiased MMD^2 of each subset pair (can be negative when the sets are alike).</param>
/// <param name="Mean">Mean over subsets: the reported KID.</param>
/// <param name="StandardDeviation">Standard deviation over subsets (population, ddof = 0, as torch-fidelity).</param>
/// <param name="SubsetSize">Vectors per set in each subset.</param>
public sealed record KernelInceptionDistanceResult(
    double[] PerSubset,
    double Mean,
    double StandardDeviation,
    int SubsetSize);
