namespace SoftDiffusion.Evaluation;

/// <summary>
/// A mean over independent images with its standard error and the 95% normal interval, estimate ± 1.96 standard
/// errors: for the per-band diagnostics, whose values are means (or ratios of means) over thousands of images.
/// </summary>
/// <param name="Estimate">The estimate.</param>
/// <param name="StandardError">Its standard error; 0 for a closed form.</param>
public sealed record NormalInterval(double Estimate, double StandardError)
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>Lower end of the 95% interval.</summary>
    public double Low => Estimate - Z95 * StandardError;

    /// <summary>Upper end of the 95% interval.</summary>
    public double High => Estimate + Z95 * StandardError;

    /// <summary>The mean of <paramref name="values"/> (n >= 2) with the standard error s / sqrt(n) (s with n - 1).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 values.</exception>
    public static NormalInterval OfMean(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) throw new ArgumentException($"Expected at least 2 values for a standard error, received {values.Count}.", nameof(values));
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new NormalInterval(mean, Math.Sqrt(variance / values.Count));
    }

    /// <summary>The ratio r = a / b of two independent estimates, with the delta method's standard error
    /// sqrt(se_a^2 + r^2 se_b^2) / |b|.</summary>
    /// <exception cref="ArgumentException">The denominator is 0.</exception>
    public static NormalInterval Ratio(NormalInterval numerator, NormalInterval denominator)
    {
        ArgumentNullException.ThrowIfNull(numerator);
        ArgumentNullException.ThrowIfNull(denominator);
        if (denominator.Estimate == 0) throw new ArgumentException("Expected a non-zero denominator.", nameof(denominator));
        double ratio = numerator.Estimate / denominator.Estimate;
        double variance = Math.Pow(numerator.StandardError, 2) + Math.Pow(ratio * denominator.StandardError, 2);
        return new NormalInterval(ratio, Math.Sqrt(variance) / Math.Abs(denominator.Estimate));
    }

    /// <summary>This interval divided by a constant (e.g. a closed-form reference).</summary>
    public NormalInterval DividedBy(double constant) => new(Estimate / constant, StandardError / Math.Abs(constant));

    /// <summary>"1.23 [1.10, 1.36]" in the given numeric format (default F2); a closed form (standard error 0) as its
    /// value alone.</summary>
    public string ToString(string format) => StandardError == 0 ? Estimate.ToString(format)
        : $"{Estimate.ToString(format)} [{Low.ToString(format)}, {High.ToString(format)}]";

    /// <inheritdoc/>
    public override string ToString() => ToString("F2");
}
