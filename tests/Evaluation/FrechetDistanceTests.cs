using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Evaluation;

public class FrechetDistanceTests
{
    /// <summary>A random SPD matrix A A^T / d + 0.1 I [d, d] in float64.</summary>
    static Tensor RandomSpd(int d, Generator g)
    {
        using var a = randn([d, d], dtype: ScalarType.Float64, generator: g);
        return a.matmul(a.T) / d + 0.1 * eye(d, dtype: ScalarType.Float64);
    }

    [Fact]
    public void IdenticalGaussiansAreAtDistanceZero()
    {
        using var g = new Generator(1);
        using var mu = randn([64], dtype: ScalarType.Float64, generator: g);
        using var sigma = RandomSpd(64, g);
        var result = FrechetDistance.Compute(mu, sigma, mu, sigma);
        double scale = sigma.trace().item<double>();
        // d^2 = 2 Tr S - 2 Tr S: cancellation leaves eigh round-off of order 1e-14 Tr S.
        Assert.True(Math.Abs(result.Value) <= 1e-8 * scale, $"d^2 = {result.Value}, Tr S = {scale}");
        Assert.Equal(0, result.MeanTerm);
        Assert.False(result.SingularCovariance);
    }

    [Fact]
    public void DiagonalCovariancesFollowTheClosedForm()
    {
        // S_1 = diag(a), S_2 = diag(b): d^2 = |mu_1 - mu_2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2.
        double[] a = [0.5, 1, 2, 4, 9], b = [2, 1, 0.25, 4, 1e-6];
        double[] mu1 = [0, 1, 2, 3, 4], mu2 = [1, 1, 0, 3, 3.5];
        double expected = Enumerable.Range(0, 5).Sum(i => Math.Pow(mu1[i] - mu2[i], 2) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2));
        using var s1 = diag(tensor(a)); using var s2 = diag(tensor(b));
        using var m1 = tensor(mu1); using var m2 = tensor(mu2);
        var result = FrechetDistance.Compute(m1, s1, m2, s2);
        Assert.Equal(expected, result.Value, 1e-10);
        Assert.Equal(5.25, result.MeanTerm, 1e-12);
    }

    [Fact]
    public void CommutingCovariancesFollowTheClosedFormInTheirCommonEigenbasis()
    {
        // S_k = Q diag(lambda_k) Q^T with one orthogonal Q: d^2 = sum_i (sqrt(lambda_1i) - sqrt(lambda_2i))^2 for equal means.
        using var g = new Generator(2);
        using var raw = randn([16, 16], dtype: ScalarType.Float64, generator: g);
        var (q, _) = linalg.qr(raw);
        using var l1 = rand([16], dtype: ScalarType.Float64, generator: g) * 4 + 0.01;
        using var l2 = rand([16], dtype: ScalarType.Float64, generator: g) * 4 + 0.01;
        using var s1 = (q * l1).matmul(q.T);
        using var s2 = (q * l2).matmul(q.T);
        using var mu = zeros(16, dtype: ScalarType.Float64);
        double expected = (l1.sqrt() - l2.sqrt()).square().sum().item<double>();
        var result = FrechetDistance.Compute(mu, s1, mu, s2);
        Assert.Equal(expected, result.Value, 1e-10);
        q.Dispose();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void NonCommuting2x2CovariancesFollowTheClosedForm(int seed)
    {
        // For 2x2 PSD M: Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M)). With M = S_1^{1/2} S_2 S_1^{1/2}:
        // Tr M = Tr(S_1 S_2) and det M = det S_1 det S_2, computed here with plain doubles.
        var rng = new Random(seed);
        double[,] p = RandomSpd2x2(rng), r = RandomSpd2x2(rng);
        Assert.NotEqual(0, Math.Abs(p[0, 1] * (r[0, 0] - r[1, 1]) - r[0, 1] * (p[0, 0] - p[1, 1])), 1e-3); // S_1 S_2 != S_2 S_1
        double trProduct = p[0, 0] * r[0, 0] + 2 * p[0, 1] * r[0, 1] + p[1, 1] * r[1, 1];
        double det = (p[0, 0] * p[1, 1] - p[0, 1] * p[0, 1]) * (r[0, 0] * r[1, 1] - r[0, 1] * r[0, 1]);
        double[] mu1 = [rng.NextDouble(), rng.NextDouble()], mu2 = [rng.NextDouble(), rng.NextDouble()];
        double expected = Math.Pow(mu1[0] - mu2[0], 2) + Math.Pow(mu1[1] - mu2[1], 2)
            + p[0, 0] + p[1, 1] + r[0, 0] + r[1, 1] - 2 * Math.Sqrt(trProduct + 2 * Math.Sqrt(det));
        using var s1 = tensor(p); using var s2 = tensor(r);
        using var m1 = tensor(mu1); using var m2 = tensor(mu2);
        Assert.Equal(expected, FrechetDistance.Compute(m1, s1, m2, s2).Value, 1e-12);
    }

    static double[,] RandomSpd2x2(Random rng)
    {
        double a = rng.NextDouble() * 3 - 1.5, b = rng.NextDouble() * 3 - 1.5, c = rng.NextDouble() * 3 - 1.5, d = rng.NextDouble() * 3 - 1.5;
        return new[,] { { a * a + b * b + 0.1, a * c + b * d }, { a * c + b * d, c * c + d * d + 0.1 } }; // [a b; c d][a b; c d]^T + 0.1 I
    }

    [Fact]
    public void AgreesWithDenmanBeaversSquareRootOfTheProduct()
    {
        // Independent route: (S_1 S_2)^{1/2} by the Denman-Beavers iteration (no eigendecomposition, no symmetrisation).
        using var g = new Generator(6);
        using var s1 = RandomSpd(32, g);
        using var s2 = RandomSpd(32, g);
        using var mu1 = randn([32], dtype: ScalarType.Float64, generator: g);
        using var mu2 = randn([32], dtype: ScalarType.Float64, generator: g);
        double traceSqrt = DenmanBeaversTraceSqrt(s1.matmul(s2));
        double expected = (mu1 - mu2).square().sum().item<double>() + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceSqrt;
        var result = FrechetDistance.Compute(mu1, s1, mu2, s2);
        // Both are float64 with condition numbers ~1e3: agreement to ~1e-12 relative is expected; 1e-8 leaves margin.
        Assert.True(Math.Abs(result.Value - expected) <= 1e-8 * Math.Abs(expected), $"{result.Value} vs {expected}");
    }

    /// <summary>Y_{k+1} = (Y_k + Z_k^{-1}) / 2, Z_{k+1} = (Z_k + Y_k^{-1}) / 2 from Y_0 = A, Z_0 = I: Y -> A^{1/2}.</summary>
    static double DenmanBeaversTraceSqrt(Tensor a)
    {
        using var scope = NewDisposeScope();
        var y = a;
        var z = eye(a.shape[0], dtype: ScalarType.Float64);
        for (int k = 0; k < 50; k++)
        {
            var yInv = linalg.inv(y);
            y = (y + linalg.inv(z)) / 2;
            z = (z + yInv) / 2;
        }
        Assert.True(y.matmul(y).allclose(a, rtol: 1e-9, atol: 1e-9), "Denman-Beavers converged");
        return y.trace().item<double>();
    }

    [Fact]
    public void FewerSamplesThanDimensionsIsFlagged()
    {
        using var g = new Generator(7);
        using var few = randn([10, 16], generator: g);
        using var many = randn([100, 16], generator: g);
        using var sFew = FidStatistics.FromFeatures(few);
        using var sMany = FidStatistics.FromFeatures(many);
        var singular = FrechetDistance.Compute(sFew, sMany);
        Assert.True(singular.SingularCovariance);
        Assert.Contains("Singular covariance", singular.Warning);
        Assert.Equal(10, singular.FirstCount);
        Assert.True(double.IsFinite(singular.Value), "a singular S_1 still gives a number (its eigenvalues are clipped at 0)");
        var regular = FrechetDistance.Compute(sMany, sMany);
        Assert.False(regular.SingularCovariance);
        Assert.Null(regular.Warning);
    }

    [Fact]
    public void DimensionMismatchIsAnError()
    {
        using var a = FidStatistics.FromFeatures(zeros(5, 3));
        using var b = FidStatistics.FromFeatures(zeros(5, 4));
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(a, b));
        Assert.Contains("3 vs 4", e.Message);
        using var mu = zeros(3, dtype: ScalarType.Float64);
        using var badSigma = eye(4, dtype: ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(mu, badSigma, mu, badSigma));
    }
}
