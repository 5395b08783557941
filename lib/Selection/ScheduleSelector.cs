using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Selection;

/// <summary>
/// Selection of the blur levels (Soft Diffusion, Section 3.4, as quoted by a re-implementation; docs/method.md §6):
/// K candidate levels log-spaced in [sigma_B_min, sigma_B_max]; an edge i -&gt; j (i &lt; j) when the distance between
/// the corrupted distributions is at most eps; the fewest-hop path from the least to the most corrupted candidate;
/// eps tuned until the path has exactly L nodes. Deterministic.
/// <para>
/// Choices ([choice], say so in the notebooks): candidate j has time t_j = j / (K - 1) and noise sigma(t_j) from the
/// given schedule; edges only go forward (i &lt; j), so levels increase. The path length only changes when eps crosses
/// a distance value, so eps is bisected over the sorted distinct distances: the result is the smallest eps whose path
/// has at most L nodes. Ties between equally short paths go to the predecessor with the smaller distance, then the
/// smaller index. If the node count jumps over L (more than L nodes just below eps, fewer at eps), the longest hops of
/// the path at eps are split at their index midpoint until it has exactly L nodes (<see cref="ScheduleSelection.InsertedLevels"/>).
/// </para>
/// </summary>
public sealed class ScheduleSelector
{
    /// <summary>The options.</summary>
    public ScheduleSelectorOptions Options { get; }

    /// <param name="options">Candidates, levels, range, estimator (defaults: 256, 32, 0.01 to 23 H / 64, coupling bound).</param>
    public ScheduleSelector(ScheduleSelectorOptions? options = null)
    {
        Options = options ?? new ScheduleSelectorOptions();
        if (Options.Levels < 2)
            throw new ArgumentOutOfRangeException(nameof(options), $"Expected at least 2 levels, received Levels = {Options.Levels}.");
        if (Options.Levels > Options.Candidates)
            throw new ArgumentOutOfRangeException(nameof(options), $"Expected Levels <= Candidates, received Levels = {Options.Levels} > Candidates = {Options.Candidates}.");
    }

    /// <summary>Selects L levels for training images [N, C, H, W] (one pass over the data in batches).</summary>
    public ScheduleSelection Select(Tensor images, INoiseSchedule noise)
    {
        using var moments = DctMoments.Compute(images, Options.BatchSize);
        return Select(moments, noise);
    }

    /// <summary>Selects L levels from the data's DCT moments (reuse them to compare estimators).</summary>
    public ScheduleSelection Select(DctMoments moments, INoiseSchedule noise)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(noise);
        var k = Options.Candidates;
        var levels = BlurSchedule.LogSpace(Options.SigmaBMin, Options.SigmaBMax ?? BlurSchedule.DefaultSigmaMax(moments.Mean.shape[1]), k);
        var sigma = Enumerable.Range(0, k).Select(j => noise.Sigma(j / (double)(k - 1))).ToArray();
        double[][] distances;
        using (var matrix = CorruptedDistance.Matrix(moments, levels, sigma, Options.Estimator))
            distances = Enumerable.Range(0, k).Select(i => matrix[i].data<double>().ToArray()).ToArray();
        var (path, eps, iterations, inserted) = ChoosePath(distances, Options.Levels);
        return new ScheduleSelection(new BlurSchedule(path.Select(j => levels[j]).ToArray()), levels, sigma, distances,
            path, eps, iterations, inserted, Options.Estimator);
    }

    /// <summary>
    /// The graph step alone: L increasing candidate indices from 0 to K - 1 for a distance matrix [K][K] (eps bisected
    /// over the distinct distances, hops split when the node count jumps over L; see the class summary).
    /// </summary>
    public static (int[] Indices, double Epsilon, int Iterations, int Inserted) ChoosePath(double[][] distances, int levels)
    {
        ArgumentNullException.ThrowIfNull(distances);
        if (distances.Any(row => row.Length != distances.Length))
            throw new ArgumentException($"Expected a square distance matrix [K][K], received {distances.Length} rows of lengths {string.Join(", ", distances.Select(r => r.Length).Distinct())}.", nameof(distances));
        if (levels < 2 || levels > distances.Length)
            throw new ArgumentOutOfRangeException(nameof(levels), levels, $"Expected 2 <= L <= K = {distances.Length}, received L = {levels}.");
        var (path, eps, iterations) = BisectEpsilon(distances, levels);
        var inserted = levels - path.Count;
        SplitLongestHops(path, distances, levels);
        return (path.ToArray(), eps, iterations, inserted);
    }

    /// <summary>Bisection over the sorted distinct distances for the smallest eps whose fewest-hop path has at most L nodes.</summary>
    static (List<int> Path, double Eps, int Iterations) BisectEpsilon(double[][] d, int levels)
    {
        var values = Enumerable.Range(0, d.Length).SelectMany(i => d[i].Skip(i + 1)).Distinct().Order().ToArray();
        int lo = -1, hi = values.Length - 1, iterations = 0; // values[hi] >= d(0, K-1): the direct edge, 2 nodes
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            var path = FewestHopPath(d, values[mid]);
            if (path is not null && path.Count <= levels) hi = mid; else lo = mid;
            iterations++;
        }
        return (FewestHopPath(d, values[hi])!, values[hi], iterations);
    }

    /// <summary>Fewest-hop path 0 -&gt; K-1 over forward edges with d(i, j) &lt;= eps (dynamic programming on the DAG), or null.</summary>
    static List<int>? FewestHopPath(double[][] d, double eps)
    {
        var k = d.Length;
        var hops = Enumerable.Repeat(int.MaxValue, k).ToArray();
        var previous = new int[k];
        hops[0] = 0;
        for (var j = 1; j < k; j++)
            for (var i = 0; i < j; i++)
            {
                if (hops[i] == int.MaxValue || d[i][j] > eps) continue;
                var better = hops[i] + 1 < hops[j] || (hops[i] + 1 == hops[j] && d[i][j] < d[previous[j]][j]);
                if (better) (hops[j], previous[j]) = (hops[i] + 1, i);
            }
        if (hops[k - 1] == int.MaxValue) return null;
        var path = new List<int> { k - 1 };
        while (path[^1] != 0) path.Add(previous[path[^1]]);
        path.Reverse();
        return path;
    }

    /// <summary>Splits the longest hop (largest distance, index gap at least 2, first on ties) at its index midpoint until the path has L nodes.</summary>
    static void SplitLongestHops(List<int> path, double[][] d, int levels)
    {
        while (path.Count < levels)
        {
            var m = Enumerable.Range(0, path.Count - 1).Where(m => path[m + 1] - path[m] >= 2)
                .MaxBy(m => (d[path[m]][path[m + 1]], -m));
            path.Insert(m + 1, (path[m] + path[m + 1]) / 2);
        }
    }
}
