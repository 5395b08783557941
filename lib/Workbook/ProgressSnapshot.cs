using System.Globalization;

namespace SoftDiffusion.Workbook;

/// <summary>
/// The numbers of one training progress line (the workbook's live view of Section 3.3's training loop): the step,
/// the batch-mean Soft Score Matching loss, the throughput and the estimated time left.
/// </summary>
/// <param name="Step">Updates done so far in the run.</param>
/// <param name="LastStep">The step the session trains to.</param>
/// <param name="Loss">Batch-mean loss of the latest step.</param>
/// <param name="ImagesPerSecond">Training images per wall-clock second over this session (NaN before any time passed).</param>
/// <param name="Remaining">Estimated time to <paramref name="LastStep"/>; null before the first step of the session.</param>
public sealed record ProgressSnapshot(long Step, long LastStep, double Loss, double ImagesPerSecond, TimeSpan? Remaining)
{
    /// <summary>Estimates from the session so far: images/s = images / elapsed, and the time left =
    /// (LastStep - step) * elapsed / (step - firstStep), i.e. the session's mean step time.</summary>
    /// <param name="step">Updates done so far in the run.</param>
    /// <param name="firstStep">The run's step when the session started (0 for a fresh run, the checkpoint's step on resume).</param>
    /// <param name="lastStep">The step the session trains to.</param>
    /// <param name="loss">Batch-mean loss of the latest step.</param>
    /// <param name="images">Images trained on in this session.</param>
    /// <param name="elapsed">Wall time of this session.</param>
    public static ProgressSnapshot Estimate(long step, long firstStep, long lastStep, double loss, long images, TimeSpan elapsed)
    {
        if (step < firstStep || lastStep < firstStep)
            throw new ArgumentException($"Expected firstStep <= step and firstStep <= lastStep, got first {firstStep}, step {step}, last {lastStep}.");
        double seconds = elapsed.TotalSeconds;
        long done = step - firstStep;
        double imagesPerSecond = seconds > 0 ? images / seconds : double.NaN;
        TimeSpan? remaining = done > 0 && seconds > 0 ? TimeSpan.FromSeconds(seconds / done * Math.Max(0, lastStep - step)) : null;
        return new ProgressSnapshot(step, lastStep, loss, imagesPerSecond, remaining);
    }

    /// <summary>Share of the session's steps done, in [0, 1].</summary>
    public double Fraction => LastStep <= 0 ? 1 : Math.Clamp((double)Step / LastStep, 0, 1);

    /// <summary>One line: "[#####-----] step 50/100  loss 0.01234  45.1 images/s  ETA 1:05".</summary>
    /// <param name="barWidth">Characters of the bar between the brackets.</param>
    public string ToLine(int barWidth = 20)
    {
        int filled = (int)Math.Round(Fraction * barWidth);
        string bar = new string('#', filled) + new string('-', barWidth - filled);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{bar}] step {Step}/{LastStep}  loss {Loss:G4}  {ImagesPerSecond:F1} images/s  ETA {Duration(Remaining)}");
    }

    public override string ToString() => ToLine();

    /// <summary>"m:ss" under an hour, "h:mm:ss" from an hour, "--:--" when unknown.</summary>
    public static string Duration(TimeSpan? time) => time switch
    {
        null => "--:--",
        { TotalHours: >= 1 } t => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}"),
        { } t => string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:D2}"),
    };
}
