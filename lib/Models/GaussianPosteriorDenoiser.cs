using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// The exact denoiser for Gaussian data x_0 ~ N(mu, Sigma) under x_t = C_t x_0 + sigma_t eta (the oracle of the
/// theory checks, docs/method.md §3.4: the minimiser of Soft Score Matching satisfies C_t x0_hat = E[C_t x_0 | x_t]):
/// <c>E[x_0 | x_t] = mu + Sigma C_t^T (C_t Sigma C_t^T + sigma_t^2 I)^{-1} (x_t - C_t mu)</c>.
/// </summary>
/// <remarks>
/// For small images only (n = C*H*W pixels; the n x n matrices are dense). C_t is built as a matrix by applying the
/// operator to the identity basis, once per distinct t, and the gain is cached per t. Works in float64 (Cholesky
/// solve, no explicit inverse) and returns the dtype of the input. Dispose to free the cache.
/// </remarks>
public sealed class GaussianPosteriorDenoiser : IDenoiser, IDisposable
{
    readonly Tensor mu;            // [n] float64
    readonly Tensor covariance;    // Sigma [n, n] float64
    readonly long[] imageShape;    // [C, H, W]
    readonly ICorruption corruption;
    readonly INoiseSchedule schedule;
    readonly Dictionary<double, (Tensor gainT, Tensor cMu)> gains = new();

    /// <summary>The oracle for data N(mean, covariance).</summary>
    /// <param name="mean">mu [C, H, W].</param>
    /// <param name="covariance">Sigma [n, n] with n = C*H*W, symmetric positive definite, pixels in the order of mean.flatten().</param>
    /// <param name="corruption">Any linear C_t.</param>
    /// <param name="schedule">sigma_t (positive).</param>
    public GaussianPosteriorDenoiser(Tensor mean, Tensor covariance, ICorruption corruption, INoiseSchedule schedule)
    {
        if (mean.dim() != 3)
            throw new ArgumentException($"Expected mean of shape [C, H, W]; got [{string.Join(", ", mean.shape)}].", nameof(mean));
        long n = mean.numel();
        if (covariance.dim() != 2 || covariance.shape[0] != n || covariance.shape[1] != n)
            throw new ArgumentException($"Expected covariance of shape [{n}, {n}]; got [{string.Join(", ", covariance.shape)}].", nameof(covariance));
        imageShape = mean.shape;
        mu = mean.to(ScalarType.Float64).flatten().clone().DetachFromDisposeScope();
        this.covariance = covariance.to(ScalarType.Float64).clone().DetachFromDisposeScope();
        this.corruption = corruption;
        this.schedule = schedule;
    }

    /// <summary>Number of pixels n = C*H*W.</summary>
    public long Dimension => mu.shape[0];

    /// <summary>E[x_0 | x_t] for each sample, grouped by distinct t.</summary>
    /// <param name="xT">x_t [B, C, H, W].</param>
    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>x0_hat [B, C, H, W] in the dtype of <paramref name="xT"/>.</returns>
    public Tensor Denoise(Tensor xT, Tensor t)
    {
        CheckInput(xT, t);
        using var scope = NewDisposeScope();
        var x = xT.to(ScalarType.Float64).reshape(xT.shape[0], Dimension);
        var x0Hat = empty_like(x);
        var times = t.to(ScalarType.Float64).cpu().data<double>().ToArray();
        foreach (var group in Enumerable.Range(0, times.Length).GroupBy(i => times[i]))
        {
            var (gainT, cMu) = Gain(group.Key);
            var rows = tensor(group.Select(i => (long)i).ToArray(), device: x.device);
            x0Hat.index_copy_(0, rows, mu + (x.index_select(0, rows) - cMu).matmul(gainT));   // mu + K (x_t - C_t mu)
        }
        return x0Hat.reshape(xT.shape).to(xT.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The matrix of C_t [n, n] float64: column j is C_t applied to the j-th basis image.</summary>
    public Tensor CorruptionMatrix(double t)
    {
        using var scope = NewDisposeScope();
        long n = Dimension;
        var basis = eye(n, dtype: ScalarType.Float64, device: mu.device).reshape([n, .. imageShape]);
        var images = corruption.Apply(basis, full(n, t, dtype: ScalarType.Float64, device: mu.device));
        return images.reshape(n, n).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Mean of the marginal q_t(x_t): C_t mu [n], float64.</summary>
    public Tensor MarginalMean(double t)
    {
        using var scope = NewDisposeScope();
        return CorruptionMatrix(t).matmul(mu).MoveToOuterDisposeScope();
    }

    /// <summary>Covariance of the marginal q_t(x_t): C_t Sigma C_t^T + sigma_t^2 I [n, n], float64.</summary>
    public Tensor MarginalCovariance(double t)
    {
        using var scope = NewDisposeScope();
        return MarginalCovariance(CorruptionMatrix(t), t).MoveToOuterDisposeScope();
    }

    Tensor MarginalCovariance(Tensor c, double t)
    {
        double sigma = schedule.Sigma(t);
        return c.matmul(covariance).matmul(c.t()) + sigma * sigma * eye(Dimension, dtype: ScalarType.Float64, device: mu.device);
    }

    /// <summary>K_t^T = (C_t Sigma C_t^T + sigma_t^2 I)^{-1} C_t Sigma (Cholesky solve) and C_t mu, cached per t.</summary>
    (Tensor gainT, Tensor cMu) Gain(double t)
    {
        if (gains.TryGetValue(t, out var cached)) return cached;
        using var scope = NewDisposeScope();
        var c = CorruptionMatrix(t);
        var cSigma = c.matmul(covariance);
        var l = linalg.cholesky(MarginalCovariance(c, t));
        var gainT = cholesky_solve(cSigma, l).DetachFromDisposeScope();
        var cMu = c.matmul(mu).DetachFromDisposeScope();
        gains[t] = (gainT, cMu);
        return (gainT, cMu);
    }

    void CheckInput(Tensor xT, Tensor t)
    {
        if (xT.dim() != 4 || !xT.shape.Skip(1).SequenceEqual(imageShape))
            throw new ArgumentException(
                $"Expected x_t of shape [B, {string.Join(", ", imageShape)}]; got [{string.Join(", ", xT.shape)}].", nameof(xT));
        if (t.dim() != 1 || t.shape[0] != xT.shape[0])
            throw new ArgumentException($"Expected t of shape [{xT.shape[0]}]; got [{string.Join(", ", t.shape)}].", nameof(t));
    }

    public void Dispose()
    {
        foreach (var (gainT, cMu) in gains.Values) { gainT.Dispose(); cMu.Dispose(); }
        gains.Clear();
        mu.Dispose();
        covariance.Dispose();
    }
}
