namespace SoftDiffusion.Evaluation;

/// <summary>The scores of a set of generated images against reference statistics (docs/method.md §7.1).</summary>
/// <param name="Fid">Squared Frechet distance of the feature Gaussians (FID when the extractor is the FID Inception).</param>
/// <param name="KidMean">Kernel Inception Distance (mean over subsets), when requested.</param>
/// <param name="KidStandardDeviation">Its standard deviation over subsets, when requested.</param>
/// <param name="SampleCount">Generated images scored.</param>
/// <param name="ReferenceCount">Reference images behind the reference statistics.</param>
/// <param name="ExtractorName">The feature extractor, to print with the score (only Inception pool3 features give FID).</param>
/// <param name="SingularCovariance">A covariance came from no more samples than feature dimensions; the score is biased.</param>
/// <param name="Frechet">The distance with its mean and covariance terms.</param>
public sealed record FidEvaluation(
    double Fid,
    double? KidMean,
    double? KidStandardDeviation,
    long SampleCount,
    long ReferenceCount,
    string ExtractorName,
    bool SingularCovariance,
    FrechetDistanceResult Frechet);
