namespace SoftDiffusion.Experiments;

/// <summary>
/// The scores of one set of generated samples (notebooks 05-07): which run, sampler and NFE made them, how many,
/// and their FID and KID under a named feature extractor. The final x_0 of the sampler is scored (not the last x0_hat).
/// </summary>
/// <param name="Recipe">The run's recipe name.</param>
/// <param name="TrainingSteps">The run's step (training budget) when sampled.</param>
/// <param name="Sampler">The sampler.</param>
/// <param name="Nfe">Sampler steps = network evaluations per sample.</param>
/// <param name="Samples">Samples scored.</param>
/// <param name="Seed">Seed of the per-sample generators (x_1 and the sampler's noise).</param>
/// <param name="Fid">Frechet distance of the feature Gaussians to the reference (not Inception FID unless the extractor says so).</param>
/// <param name="KidMean">Kernel Inception Distance to the reference features (same extractor).</param>
/// <param name="KidStandardDeviation">Its standard deviation over subsets.</param>
/// <param name="Extractor">The feature extractor's name.</param>
/// <param name="Reference">What the reference statistics are of.</param>
/// <param name="SingularCovariance">The samples were no more than the feature dimension: the FID is biased.</param>
/// <param name="SamplingSeconds">Wall time of generating the samples.</param>
/// <param name="FidLow">Lower end of the 95% bootstrap interval of the FID (both sample sets resampled, <see cref="Evaluation.FidBootstrap"/>).</param>
/// <param name="FidHigh">Upper end of that interval.</param>
/// <param name="Start">The start distribution p_1 the samples were drawn from.</param>
public sealed record SampleScore(
    string Recipe,
    long TrainingSteps,
    SamplerKind Sampler,
    int Nfe,
    int Samples,
    long Seed,
    double Fid,
    double? KidMean,
    double? KidStandardDeviation,
    string Extractor,
    string Reference,
    bool SingularCovariance,
    double SamplingSeconds,
    double FidLow,
    double FidHigh,
    StartKind Start = StartKind.Fitted);
