namespace SoftDiffusion.Workbook;

/// <summary>
/// What <see cref="Charts"/> does to data before it goes into a chart, so an output stays small whatever the
/// notebook passes: long series are decimated and numbers are rounded to what a chart can show.
/// </summary>
public static class ChartData
{
    /// <summary>Points per series above which <see cref="Decimate"/> thins a series.</summary>
    public const int MaxPointsPerSeries = 2000;

    /// <summary>Significant digits of line and column values (enough for float32 data and step counts below 10^7).</summary>
    public const int SeriesDigits = 7;

    /// <summary>Significant digits of heat-map values (a colour scale shows far fewer).</summary>
    public const int HeatmapDigits = 4;

    /// <summary>
    /// At most <paramref name="maxPoints"/> points of <paramref name="series"/>: the points are cut into
    /// maxPoints / 2 runs of consecutive points and each run keeps its lowest and highest y (in their order), so the
    /// drawn envelope (spikes included) is kept. Series that are short enough come back unchanged.
    /// </summary>
    public static Series Decimate(Series series, int maxPoints = MaxPointsPerSeries)
    {
        if (maxPoints < 2) throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "Expected at least 2 points.");
        if (series.X.Count != series.Y.Count)
            throw new ArgumentException($"Series '{series.Name}' has {series.X.Count} x values but {series.Y.Count} y values.", nameof(series));
        int n = series.X.Count;
        if (n <= maxPoints) return series;
        int runs = maxPoints / 2;
        var keep = new List<int>(2 * runs);
        for (int r = 0; r < runs; r++)
        {
            int from = (int)((long)r * n / runs), to = (int)((long)(r + 1) * n / runs);
            var (low, high) = Extremes(series.Y, from, to);
            keep.Add(Math.Min(low, high));
            if (high != low) keep.Add(Math.Max(low, high));
        }
        return series with { X = keep.Select(i => series.X[i]).ToArray(), Y = keep.Select(i => series.Y[i]).ToArray() };
    }

    /// <summary>Indices of the lowest and highest finite value in [from, to) (the first index when none is finite).</summary>
    static (int Low, int High) Extremes(IReadOnlyList<double> y, int from, int to)
    {
        int low = from, high = from;
        for (int i = from; i < to; i++)
        {
            if (!double.IsFinite(y[i])) continue;
            if (!double.IsFinite(y[low]) || y[i] < y[low]) low = i;
            if (!double.IsFinite(y[high]) || y[i] > y[high]) high = i;
        }
        return (low, high);
    }

    /// <summary><paramref name="value"/> rounded to <paramref name="digits"/> significant digits (non-finite values unchanged).</summary>
    public static double Significant(double value, int digits)
    {
        if (digits is < 1 or > 15) throw new ArgumentOutOfRangeException(nameof(digits), digits, "Expected 1 to 15 significant digits.");
        if (value == 0 || !double.IsFinite(value)) return value;
        return double.Parse(value.ToString("G" + digits, System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every value of <paramref name="values"/> rounded to <paramref name="digits"/> significant digits.</summary>
    public static double[] Significant(IEnumerable<double> values, int digits) => values.Select(v => Significant(v, digits)).ToArray();
}
