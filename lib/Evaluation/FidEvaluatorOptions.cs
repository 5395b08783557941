namespace SoftDiffusion.Evaluation;

/// <summary>How <see cref="FidEvaluator"/> scores generated images.</summary>
/// <param name="BatchSize">Images per feature-extractor call (memory bound: Inception at 299 x 299 needs ~0.1 GB per image in float32).</param>
/// <param name="ComputeKid">Also compute the Kernel Inception Distance (needs the reference features, and keeps the generated ones).</param>
/// <param name="Kid">KID subsets (defaults when null).</param>
/// <param name="KidSeed">Seeds the KID subset draws.</param>
public sealed record FidEvaluatorOptions(
    int BatchSize = 50,
    bool ComputeKid = false,
    KernelInceptionDistanceOptions? Kid = null,
    long KidSeed = 0);
