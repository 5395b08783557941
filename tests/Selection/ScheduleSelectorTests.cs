using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Selection;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Selection;

public sealed class ScheduleSelectorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly GeometricNoiseSchedule Noise = new(0.01, 0.05);

    /// <summary>Gaussian images whose DCT coefficients have variance 1 / (1 + k^2 + l^2) (a natural-image-like power law) and mean 0.1 at DC.</summary>
    static Tensor GaussianImages(long n, long c, long h, long w, ulong seed = 1)
    {
        using var g = new Generator(seed);
        var k = arange(h, dtype: ScalarType.Float64).square().unsqueeze(1);
        var l = arange(w, dtype: ScalarType.Float64).square().unsqueeze(0);
        var std = (1 + k + l).rsqrt();
        var coefficients = randn([n, c, h, w], dtype: ScalarType.Float64, generator: g) * std;
        coefficients[TensorIndex.Colon, TensorIndex.Colon, 0, 0] += 0.1;
        return Dct2d.Inverse(coefficients).to(ScalarType.Float32);
    }

    [Fact]
    public void DefaultOptionsReturnExactly32IncreasingLevelsWithEndpointsKept()
    {
        using var scope = NewDisposeScope();
        var selection = new ScheduleSelector().Select(GaussianImages(128, 3, 16, 16), Noise);
        Assert.Equal(32, selection.Schedule.Levels.Count);
        Assert.Equal(256, selection.CandidateLevels.Length);
        Assert.Equal(0.01, selection.Schedule.Levels[0]);
        Assert.Equal(23.0 * 16 / 64, selection.Schedule.Levels[^1]);
        Assert.Equal(0, selection.ChosenIndices[0]);
        Assert.Equal(255, selection.ChosenIndices[^1]);
        Assert.True(selection.ChosenIndices.Zip(selection.ChosenIndices.Skip(1)).All(p => p.Second > p.First));
        if (selection.InsertedLevels == 0)
            Assert.All(selection.HopDistances(), d => Assert.True(d <= selection.Epsilon));
        Assert.InRange(selection.BisectionIterations, 1, 17); // log2 of at most 256 * 255 / 2 distinct distances
    }

    [Theory]
    [InlineData(DistanceEstimator.CouplingBound)]
    [InlineData(DistanceEstimator.DiagonalFrechet)]
    public void IsDeterministic(DistanceEstimator estimator)
    {
        using var scope = NewDisposeScope();
        var images = GaussianImages(64, 1, 8, 12);
        var selector = new ScheduleSelector(new ScheduleSelectorOptions(Candidates: 64, Levels: 10, Estimator: estimator));
        var (a, b) = (selector.Select(images, Noise), selector.Select(images, Noise));
        Assert.Equal(a.ChosenIndices, b.ChosenIndices);
        Assert.Equal(a.Epsilon, b.Epsilon);
        Assert.Equal(10, a.ChosenIndices.Length);
    }

    [Fact]
    public void AsManyLevelsAsCandidatesTakesEveryCandidate()
    {
        // The fewest-hop path can jump over L here; splitting hops must still give exactly L = K levels.
        using var scope = NewDisposeScope();
        var selection = new ScheduleSelector(new ScheduleSelectorOptions(Candidates: 12, Levels: 12)).Select(GaussianImages(32, 1, 8, 8), Noise);
        Assert.Equal(Enumerable.Range(0, 12), selection.ChosenIndices);
    }

    [Fact]
    public void SplitsTheLongestHopWhenTheNodeCountJumpsOverL()
    {
        // Five candidates on a line, d(i, j) = |i - j|: eps = 1 gives 5 nodes, eps = 2 gives 3 (0, 2, 4), so L = 4 is
        // never hit exactly. The smallest eps with at most 4 nodes is 2; its first longest hop (0 -> 2) is split at 1.
        var d = Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 5).Select(j => (double)Math.Abs(i - j)).ToArray()).ToArray();
        var (indices, eps, iterations, inserted) = ScheduleSelector.ChoosePath(d, 4);
        Assert.Equal(new[] { 0, 1, 2, 4 }, indices);
        Assert.Equal(2.0, eps);
        Assert.Equal(1, inserted);
        Assert.Equal(2, iterations); // bisection over the 4 distinct distances 1, 2, 3, 4
        Assert.Equal(new[] { 0, 2, 4 }, ScheduleSelector.ChoosePath(d, 3).Indices); // exact hit: nothing inserted
    }

    [Fact]
    public void RejectsMoreLevelsThanCandidates()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ScheduleSelector(new ScheduleSelectorOptions(Candidates: 16, Levels: 17)));
        Assert.Contains("Levels = 17 > Candidates = 16", ex.Message);
    }

    [Fact]
    public void CouplingBoundEqualsThePixelSpaceExpectation()
    {
        // Independent route: blur every image in pixel space and average ||(C_i - C_j) x_0||^2 directly.
        using var scope = NewDisposeScope();
        var images = GaussianImages(40, 2, 6, 9).to(ScalarType.Float64);
        using var moments = DctMoments.Compute(images, batchSize: 16);
        double[] sigmaB = [0.2, 1.1, 3.0], sigma = [0.01, 0.02, 0.05];
        var matrix = CorruptedDistance.Matrix(moments, sigmaB, sigma, DistanceEstimator.CouplingBound);
        var n = images[0].numel();
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                var ci = BlurCorruption.HeatBlur(images, full(40, sigmaB[i], dtype: ScalarType.Float64));
                var cj = BlurCorruption.HeatBlur(images, full(40, sigmaB[j], dtype: ScalarType.Float64));
                var expected = Math.Sqrt((ci - cj).square().sum([1, 2, 3]).mean().item<double>() + n * Math.Pow(sigma[i] - sigma[j], 2));
                Assert.Equal(expected, matrix[i, j].item<double>(), 1e-10);
            }
    }

    [Fact]
    public void DiagonalFrechetEqualsTheFullCovarianceFrechetDistanceOfTheCorruptedGaussians()
    {
        // Data x_0 = IDCT(m + sqrt(v) z): exactly Gaussian and diagonal in the DCT basis, so the diagonal formula must
        // equal the general d^2 = |mu_1 - mu_2|^2 + Tr(S_1 + S_2 - 2 (S_1^1/2 S_2 S_1^1/2)^1/2) on the n x n covariances
        // of C_i x_0 + sigma_i eta, computed here with eigendecompositions.
        using var scope = NewDisposeScope();
        const long h = 3, w = 4, n = h * w;
        using var g = new Generator(8);
        var m = randn([1, h, w], dtype: ScalarType.Float64, generator: g);
        var v = rand([1, h, w], dtype: ScalarType.Float64, generator: g) + 0.1;
        using var moments = new DctMoments(m, m.square() + v, 1);
        double[] sigmaB = [0.3, 1.7], sigma = [0.02, 0.04];
        var diagonal = CorruptedDistance.Matrix(moments, sigmaB, sigma, DistanceEstimator.DiagonalFrechet)[0, 1].item<double>();

        var basis = Dct2d.Forward(eye(n, dtype: ScalarType.Float64).view(n, h, w)).view(n, n).t(); // B: x^ = B x
        var (mean0, cov0) = (matmul(basis.t(), m.view(n)), matmul(matmul(basis.t(), v.view(n).diag()), basis));
        (Tensor Mean, Tensor Cov) Corrupted(int i)
        {
            var d = BlurCorruption.HeatAttenuation(tensor(new[] { sigmaB[i] }, dtype: ScalarType.Float64), h, w).view(n);
            var c = matmul(matmul(basis.t(), d.diag()), basis); // C_i = B^T diag(d_i) B
            return (matmul(c, mean0), matmul(matmul(c, cov0), c) + eye(n, dtype: ScalarType.Float64) * (sigma[i] * sigma[i]));
        }
        var (mu1, s1) = Corrupted(0);
        var (mu2, s2) = Corrupted(1);
        var root1 = SymmetricSqrt(s1);
        var cross = SymmetricSqrt(matmul(matmul(root1, s2), root1)).trace();
        var full = Math.Sqrt(((mu1 - mu2).square().sum() + s1.trace() + s2.trace() - 2 * cross).item<double>());
        Assert.Equal(full, diagonal, 1e-9); // float64 eigendecompositions of 12 x 12 matrices
    }

    static Tensor SymmetricSqrt(Tensor a)
    {
        var (values, vectors) = linalg.eigh(a);
        return matmul(matmul(vectors, values.clamp_min(0).sqrt().diag()), vectors.t());
    }

    [Fact]
    public void DiagonalFrechetNeverExceedsTheCouplingBound()
    {
        // Per coefficient |sqrt(a^2 + b^2) - sqrt(c^2 + e^2)| <= sqrt((a - c)^2 + (b - e)^2) (Minkowski).
        using var scope = NewDisposeScope();
        using var moments = DctMoments.Compute(GaussianImages(64, 3, 8, 8));
        var sigmaB = BlurSchedule.LogSpace(0.01, 3, 20);
        var sigma = Enumerable.Range(0, 20).Select(j => Noise.Sigma(j / 19.0)).ToArray();
        var frechet = CorruptedDistance.Matrix(moments, sigmaB, sigma, DistanceEstimator.DiagonalFrechet);
        var coupling = CorruptedDistance.Matrix(moments, sigmaB, sigma, DistanceEstimator.CouplingBound);
        Assert.True((frechet <= coupling + 1e-12).all().item<bool>());
    }

    [Fact]
    public void BothEstimatorsRankNeighbourDistancesAlikeOnGaussianData()
    {
        using var scope = NewDisposeScope();
        using var moments = DctMoments.Compute(GaussianImages(256, 1, 16, 16));
        ScheduleSelection Run(DistanceEstimator e) =>
            new ScheduleSelector(new ScheduleSelectorOptions(Candidates: 64, Levels: 8, Estimator: e)).Select(moments, Noise);
        var coupling = Run(DistanceEstimator.CouplingBound).NeighbourDistances();
        var frechet = Run(DistanceEstimator.DiagonalFrechet).NeighbourDistances();
        var rho = SpearmanCorrelation(coupling, frechet);
        output.WriteLine($"Spearman rank correlation of the {coupling.Length} neighbour distances: {rho:F4}");
        Assert.True(rho > 0.9, $"Spearman rank correlation {rho}");
    }

    static double SpearmanCorrelation(double[] a, double[] b)
    {
        static double[] Ranks(double[] x) { var r = new double[x.Length]; var order = Enumerable.Range(0, x.Length).OrderBy(i => x[i]).ToArray(); for (var k = 0; k < order.Length; k++) r[order[k]] = k; return r; }
        var (ra, rb) = (Ranks(a), Ranks(b));
        var n = a.Length;
        return 1 - 6 * ra.Zip(rb, (p, q) => (p - q) * (p - q)).Sum() / (n * ((double)n * n - 1));
    }
}
