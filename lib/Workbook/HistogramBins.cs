namespace SoftDiffusion.Workbook;

/// <summary>
/// Counts of values in equal-width bins over [<see cref="Start"/>, <see cref="Start"/> + Counts.Length ×
/// <see cref="Width"/>]: what a histogram chart draws, so a chart carries the counts, not the values.
/// </summary>
/// <param name="Start">Left edge of the first bin.</param>
/// <param name="Width">Width of every bin (positive).</param>
/// <param name="Counts">Values per bin; the last bin includes its right edge.</param>
/// <param name="NonFinite">Values left out because they were NaN or infinite.</param>
public sealed record HistogramBins(double Start, double Width, long[] Counts, long NonFinite)
{
    /// <summary>The centre of each bin.</summary>
    public double[] Centres => Enumerable.Range(0, Counts.Length).Select(i => Start + (i + 0.5) * Width).ToArray();

    /// <summary>The number of binned values.</summary>
    public long Total => Counts.Sum();

    /// <summary>
    /// Bins the finite <paramref name="values"/> into <paramref name="bins"/> equal bins from their minimum to their
    /// maximum (one bin of width 1 around the value when all are equal; no bins when there are none).
    /// </summary>
    public static HistogramBins Compute(IEnumerable<double> values, int bins = 64)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "Expected at least 1 bin.");
        var list = values as IReadOnlyList<double> ?? values.ToArray();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long nonFinite = 0;
        foreach (double v in list)
        {
            if (!double.IsFinite(v)) { nonFinite++; continue; }
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (nonFinite == list.Count) return new HistogramBins(0, 1, [], nonFinite);
        if (max == min) return new HistogramBins(min - 0.5, 1, [list.Count - nonFinite], nonFinite);

        double width = (max - min) / bins;
        var counts = new long[bins];
        foreach (double v in list)
            if (double.IsFinite(v)) counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
        return new HistogramBins(min, width, counts, nonFinite);
    }
}
