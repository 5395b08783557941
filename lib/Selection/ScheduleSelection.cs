using SoftDiffusion.Schedules;
namespace SoftDiffusion.Selection;

/// <summary>
/// The result of <see cref="ScheduleSelector"/> (docs/method.md §6.3): the chosen blur schedule and what a notebook plots.
/// </summary>
/// <param name="Schedule">sigma_B(t) through the chosen levels on the uniform t grid.</param>
/// <param name="CandidateLevels">sigma_B of the K candidates (pixels, increasing).</param>
/// <param name="CandidateNoise">sigma of candidate j, taken from the noise schedule at t_j = j / (K - 1).</param>
/// <param name="Distances">Distance matrix [K][K] between the candidates' corrupted distributions.</param>
/// <param name="ChosenIndices">The L chosen candidates, increasing, first 0 and last K - 1.</param>
/// <param name="Epsilon">The edge threshold eps found by bisection.</param>
/// <param name="BisectionIterations">Bisection steps taken.</param>
/// <param name="InsertedLevels">Levels added by splitting hops because the path length jumped over L (0 when the path had exactly L nodes).</param>
/// <param name="Estimator">The distance used.</param>
public sealed record ScheduleSelection(
    BlurSchedule Schedule,
    double[] CandidateLevels,
    double[] CandidateNoise,
    double[][] Distances,
    int[] ChosenIndices,
    double Epsilon,
    int BisectionIterations,
    int InsertedLevels,
    DistanceEstimator Estimator)
{
    /// <summary>Distances d(j, j + 1) between neighbouring candidates [K - 1].</summary>
    public double[] NeighbourDistances() => Enumerable.Range(0, Distances.Length - 1).Select(j => Distances[j][j + 1]).ToArray();

    /// <summary>Distances between consecutive chosen levels [L - 1] (each at most eps, except hops split after a jump may differ).</summary>
    public double[] HopDistances() => Enumerable.Range(0, ChosenIndices.Length - 1).Select(m => Distances[ChosenIndices[m]][ChosenIndices[m + 1]]).ToArray();
}
