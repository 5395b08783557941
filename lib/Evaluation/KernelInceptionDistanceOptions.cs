namespace SoftDiffusion.Evaluation;

/// <summary>Subsets of the Kernel Inception Distance (Binkowski et al. 2018); defaults as in torch-fidelity.</summary>
/// <param name="SubsetCount">Number of random subset pairs whose MMD^2 estimates are averaged.</param>
/// <param name="SubsetSize">Vectors drawn (without replacement) from each set per subset; capped at the smaller set's size.</param>
public sealed record KernelInceptionDistanceOptions(
    int SubsetCount = 100,
    int SubsetSize = 1000);
