using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Squared Frechet distance between Gaussians N(mu_1, S_1) and N(mu_2, S_2) (Dowson and Landau 1982; FID of Heusel
/// et al. 2017; docs/method.md §7.1), in float64. The trace term uses Tr((S_1 S_2)^{1/2}) = Tr((S_1^{1/2} S_2 S_1^{1/2})^{1/2}):
/// S_1 S_2 is similar to the symmetric PSD matrix S_1^{1/2} S_2 S_1^{1/2}, so both symmetric eigendecompositions
/// (torch.linalg.eigh) replace a general matrix square root.
/// </summary>
/// <remarks>
/// Eigenvalues of S_1 and of S_1^{1/2} S_2 S_1^{1/2} are clipped at zero before their square roots: both matrices
/// are PSD, and the negative values eigh returns for them are round-off of size ~1e-16 Tr(S) (singular sample
/// covariances have many zero eigenvalues).
/// </remarks>
public static class FrechetDistance
{
    /// <summary>d^2 between the Gaussians fitted to two feature sets; flags sample counts N &lt;= D.</summary>
    public static FrechetDistanceResult Compute(FidStatistics first, FidStatistics second)
    {
        if (first.Dimension != second.Dimension)
            throw new ArgumentException($"Feature dimensions differ: {first.Dimension} vs {second.Dimension} (statistics of different extractors?).");
        using var scope = NewDisposeScope();
        var result = Compute(first.Mean, first.Covariance, second.Mean, second.Covariance);
        return result with
        {
            SingularCovariance = first.Count <= first.Dimension || second.Count <= second.Dimension,
            FirstCount = first.Count,
            SecondCount = second.Count,
        };
    }

    /// <summary>d^2 between N(mu_1, S_1) and N(mu_2, S_2) given their moments.</summary>
    /// <param name="mu1">Mean [D].</param>
    /// <param name="sigma1">Covariance [D, D], symmetric PSD.</param>
    /// <param name="mu2">Mean [D].</param>
    /// <param name="sigma2">Covariance [D, D], symmetric PSD.</param>
    public static FrechetDistanceResult Compute(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        int dimension = CheckMoments(mu1, sigma1, "first");
        if (CheckMoments(mu2, sigma2, "second") != dimension)
            throw new ArgumentException($"Feature dimensions differ: {dimension} vs {mu2.shape[0]}.");
        using var scope = NewDisposeScope();
        var device = sigma1.device;
        var s1 = sigma1.to(ScalarType.Float64, device);
        var s2 = sigma2.to(ScalarType.Float64, device);
        double meanTerm = (mu1.to(ScalarType.Float64, device) - mu2.to(ScalarType.Float64, device)).square().sum().item<double>();
        double covarianceTerm = s1.trace().item<double>() + s2.trace().item<double>() - 2 * TraceSqrtProduct(s1, s2);
        return new FrechetDistanceResult(meanTerm + covarianceTerm, meanTerm, covarianceTerm, dimension);
    }

    /// <summary>Tr((S_1 S_2)^{1/2}) = sum_i sqrt(lambda_i(S_1^{1/2} S_2 S_1^{1/2})).</summary>
    static double TraceSqrtProduct(Tensor s1, Tensor s2)
    {
        var sqrtS1 = SymmetricSqrt(s1);
        var inner = sqrtS1.matmul(s2).matmul(sqrtS1);
        var lambda = linalg.eigvalsh((inner + inner.T) / 2).clamp_min(0);
        return lambda.sqrt().sum().item<double>();
    }

    /// <summary>S^{1/2} = V diag(sqrt(max(lambda, 0))) V^T from S = V diag(lambda) V^T.</summary>
    static Tensor SymmetricSqrt(Tensor s)
    {
        var (lambda, v) = linalg.eigh((s + s.T) / 2);
        return (v * lambda.clamp_min(0).sqrt()).matmul(v.T);
    }

    static int CheckMoments(Tensor mu, Tensor sigma, string which)
    {
        if (mu.dim() != 1 || sigma.dim() != 2 || sigma.shape[0] != mu.shape[0] || sigma.shape[1] != mu.shape[0])
            throw new ArgumentException(
                $"Expected the {which} mean [D] and covariance [D, D], got [{string.Join(", ", mu.shape)}] and [{string.Join(", ", sigma.shape)}].");
        return (int)mu.shape[0];
    }
}
