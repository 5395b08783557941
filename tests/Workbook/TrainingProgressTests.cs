using SoftDiffusion.Training;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public class TrainingProgressTests
{
    static TrainingStepReport Report(long step, float[] times, float[] losses) =>
        new(step, losses.Average(), times, losses, LearningRate: 1e-3, GradientNorm: 1, ImagesPerSecond: 100);

    [Fact]
    public void TheLossCurveHoldsEveryReportedStep()
    {
        var progress = new TrainingProgress(firstStep: 0, lastStep: 3) { RefreshInterval = TimeSpan.FromHours(1) };
        progress.Report(Report(1, [0.1f, 0.2f], [4, 2]));
        progress.Report(Report(2, [0.3f, 0.4f], [1, 1]));
        Assert.Equal([1.0, 2.0], progress.LossCurve.X);
        Assert.Equal([3.0, 1.0], progress.LossCurve.Y);
        Assert.Equal(2, progress.Current!.Step);
    }

    [Fact]
    public void LossByTimeAveragesThePerSampleLossInBinsOfTOverTheLatestSteps()
    {
        var progress = new TrainingProgress(firstStep: 0, lastStep: 3, recentSteps: 2) { RefreshInterval = TimeSpan.FromHours(1) };
        progress.Report(Report(1, [0.1f, 0.9f], [100, 100]));   // dropped: only the latest 2 steps count
        progress.Report(Report(2, [0.1f, 0.2f], [1, 3]));
        progress.Report(Report(3, [0.4f, 1.0f], [5, 7]));       // t = 1 falls in the last bin
        var byTime = progress.LossByTime(bins: 2);
        Assert.Equal([0.25, 0.75], byTime.X);
        Assert.Equal([3.0, 7.0], byTime.Y);                     // mean(1, 3, 5) and 7
    }
}
