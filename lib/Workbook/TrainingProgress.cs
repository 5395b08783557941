using System.Diagnostics;
using System.Runtime.CompilerServices;
using SoftDiffusion.Training;

namespace SoftDiffusion.Workbook;

/// <summary>
/// A live view of a training run (Soft Diffusion, Section 3.3, the trainer's per-step reports): step, loss,
/// images/s and the time left, with the loss against step. In a notebook host one output line and one loss chart
/// update in place; in a console one line is rewritten in place. Create it just before training (its clock starts
/// then), pass <see cref="Report"/> as the trainer's onStep callback and call <see cref="Finish"/> afterwards.
/// It also keeps the per-sample losses of the latest steps for the loss against t (<see cref="LossByTime"/>).
/// </summary>
public sealed class TrainingProgress
{
    readonly long firstStep, lastStep;
    readonly int recentSteps;
    readonly IProgressView view;
    readonly Stopwatch clock = Stopwatch.StartNew();   // the session starts at construction
    readonly List<double> steps = [], losses = [];
    readonly Queue<TrainingStepReport> recent = new();
    TimeSpan? lastShown;
    long images;

    /// <summary>Minimum time between two refreshes of the view (every report is recorded regardless).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The latest numbers (null before the first report).</summary>
    public ProgressSnapshot? Current { get; private set; }

    /// <param name="firstStep">The run's step before this session (the trainer's Step: 0, or the resumed checkpoint's).</param>
    /// <param name="lastStep">The step this session trains to.</param>
    /// <param name="recentSteps">How many of the latest steps <see cref="LossByTime"/> uses.</param>
    public TrainingProgress(long firstStep, long lastStep, int recentSteps = 200)
    {
        if (firstStep < 0 || lastStep < firstStep)
            throw new ArgumentException($"Expected 0 <= firstStep <= lastStep, got {firstStep} and {lastStep}.");
        if (recentSteps < 1) throw new ArgumentOutOfRangeException(nameof(recentSteps), recentSteps, "Expected at least 1 recent step.");
        (this.firstStep, this.lastStep, this.recentSteps) = (firstStep, lastStep, recentSteps);
        view = CreateView();
    }

    /// <summary>Records one step and refreshes the view when <see cref="RefreshInterval"/> has passed.</summary>
    public void Report(TrainingStepReport report)
    {
        images += report.Times.Length;
        steps.Add(report.Step);
        losses.Add(report.Loss);
        recent.Enqueue(report);
        if (recent.Count > recentSteps) recent.Dequeue();
        Current = ProgressSnapshot.Estimate(report.Step, firstStep, lastStep, report.Loss, images, clock.Elapsed);
        if (clock.Elapsed - lastShown < RefreshInterval) return;   // null (never shown) compares false
        view.Show(Current, LossCurve);
        lastShown = clock.Elapsed;
    }

    /// <summary>Shows the final numbers (call after training).</summary>
    public void Finish()
    {
        if (Current is not null) view.Finish(Current, LossCurve);
    }

    /// <summary>Steps reported so far (the steps trained in this session).</summary>
    public int StepsTrained => steps.Count;

    /// <summary>The batch-mean loss against step, for every reported step.</summary>
    public Series LossCurve => new("loss", steps, losses);

    /// <summary>The mean per-sample loss in <paramref name="bins"/> equal bins of t over [0, 1], over the latest
    /// steps (empty bins left out): how hard each time is for the network now.</summary>
    public Series LossByTime(int bins = 20)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "Expected at least 1 bin.");
        var samples = recent.SelectMany(r => r.Times.Zip(r.PerSampleLoss, (t, loss) => (T: (double)t, Loss: (double)loss)));
        var means = samples.GroupBy(s => Math.Min(bins - 1, (int)(s.T * bins)))
            .OrderBy(g => g.Key)
            .Select(g => (T: (g.Key + 0.5) / bins, Loss: g.Average(s => s.Loss)))
            .ToList();
        return new Series($"mean loss, last {recent.Count} steps", means.Select(m => m.T).ToList(), means.Select(m => m.Loss).ToList());
    }

    static IProgressView CreateView() =>
        (NotebookFormatters.InHost ? NotebookView() : null) ?? new ConsoleProgressLine(Console.Out);

    // Kept out of line so the kernel types load only inside a notebook host.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static IProgressView? NotebookView() => KernelProgressDisplay.ForCurrentCell();
}
