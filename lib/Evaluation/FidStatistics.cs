using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Streaming mean mu and covariance S of feature vectors: the Gaussian that FID fits to a set of images
/// (docs/method.md §7.1). Accumulated in float64 with the pairwise update of Chan, Golub and LeVeque (1979): each batch
/// contributes its own mean and centred scatter matrix, and two partial results combine exactly as two batches do,
/// so no raw sum of squares of large values is ever formed.
/// </summary>
public sealed class FidStatistics : IDisposable
{
    Tensor mean;     // mu [D], float64
    Tensor scatter;  // M = sum_i (x_i - mu)(x_i - mu)^T [D, D], float64

    /// <summary>Empty statistics of <paramref name="dimension"/>-dimensional features, kept on <paramref name="device"/> (CPU by default).</summary>
    public FidStatistics(int dimension, Device? device = null)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Expected a positive feature dimension.");
        Dimension = dimension;
        mean = zeros(dimension, dtype: ScalarType.Float64, device: device ?? CPU).DetachFromDisposeScope();
        scatter = zeros(dimension, dimension, dtype: ScalarType.Float64, device: device ?? CPU).DetachFromDisposeScope();
    }

    /// <summary>Feature dimension D.</summary>
    public int Dimension { get; }

    /// <summary>Number of feature vectors N accumulated.</summary>
    public long Count { get; private set; }

    /// <summary>Mean mu [D], float64; a new tensor the caller owns.</summary>
    public Tensor Mean => mean.clone();

    /// <summary>Unbiased covariance S = M / (N - 1) [D, D], float64; a new tensor the caller owns. Needs N &gt;= 2.</summary>
    public Tensor Covariance => Count >= 2
        ? scatter / (Count - 1)
        : throw new InvalidOperationException($"The covariance needs at least 2 feature vectors; {Count} were accumulated.");

    /// <summary>Statistics of one feature matrix.</summary>
    /// <param name="features">Features [N, D].</param>
    public static FidStatistics FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"Expected features [N, D], got shape [{string.Join(", ", features.shape)}].", nameof(features));
        var statistics = new FidStatistics((int)features.shape[1], features.device);
        statistics.Add(features);
        return statistics;
    }

    /// <summary>Adds a batch of feature vectors; NaN or infinite values are rejected.</summary>
    /// <param name="features">Features [N, D], any floating dtype, any device (moved to this object's device).</param>
    public void Add(Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != Dimension)
            throw new ArgumentException($"Expected features [N, {Dimension}], got shape [{string.Join(", ", features.shape)}].", nameof(features));
        if (features.shape[0] == 0) return;
        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float64, mean.device);
        RejectNonFinite(x);
        var batchMean = x.mean([0]);
        var centred = x - batchMean;
        Combine(x.shape[0], batchMean, centred.T.matmul(centred));
    }

    /// <summary>
    /// Chan et al.'s pairwise combination of (N_a, mu_a, M_a) with (N_b, mu_b, M_b):
    /// delta = mu_b - mu_a; mu = mu_a + delta N_b / N; M = M_a + M_b + delta delta^T N_a N_b / N.
    /// </summary>
    void Combine(long countB, Tensor meanB, Tensor scatterB)
    {
        long countA = Count, count = countA + countB;
        var delta = meanB - mean;
        var newMean = mean + delta * ((double)countB / count);
        var newScatter = scatter + scatterB + outer(delta, delta) * ((double)countA * countB / count);
        Replace(newMean, newScatter);
        Count = count;
    }

    void Replace(Tensor newMean, Tensor newScatter)
    {
        mean.Dispose();
        scatter.Dispose();
        mean = newMean.DetachFromDisposeScope();
        scatter = newScatter.DetachFromDisposeScope();
    }

    static void RejectNonFinite(Tensor x)
    {
        long bad = x.isfinite().logical_not().sum().item<long>();
        if (bad > 0)
            throw new ArgumentException(
                $"Expected finite features; {bad} of {x.numel()} values are NaN or infinite (broken images or a diverged model?).");
    }

    public void Dispose()
    {
        mean.Dispose();
        scatter.Dispose();
    }
}
