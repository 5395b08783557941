using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public class ProgressSnapshotTests
{
    [Fact]
    public void ThroughputIsImagesOverElapsedAndTheTimeLeftExtrapolatesTheMeanStepTime()
    {
        // 10 steps of batch 64 in 20 s: 32 images/s; 90 steps left at 2 s each = 180 s.
        var snapshot = ProgressSnapshot.Estimate(step: 10, firstStep: 0, lastStep: 100, loss: 0.5, images: 640, TimeSpan.FromSeconds(20));
        Assert.Equal(32, snapshot.ImagesPerSecond, 12);
        Assert.Equal(TimeSpan.FromSeconds(180), snapshot.Remaining);
        Assert.Equal(0.1, snapshot.Fraction, 12);
    }

    [Fact]
    public void OnResumeOnlyTheSessionsStepsSetThePace()
    {
        // Resumed at step 1000, now at 1010 after 20 s: 2 s per step, 90 steps left.
        var snapshot = ProgressSnapshot.Estimate(step: 1010, firstStep: 1000, lastStep: 1100, loss: 0.5, images: 640, TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(180), snapshot.Remaining);
    }

    [Fact]
    public void BeforeAnyStepTheTimeLeftIsUnknown()
    {
        var snapshot = ProgressSnapshot.Estimate(step: 5, firstStep: 5, lastStep: 10, loss: 1, images: 0, TimeSpan.Zero);
        Assert.Null(snapshot.Remaining);
        Assert.True(double.IsNaN(snapshot.ImagesPerSecond));
        Assert.Contains("ETA --:--", snapshot.ToLine());
    }

    [Fact]
    public void TheLineShowsBarStepLossThroughputAndTimeLeft()
    {
        var snapshot = new ProgressSnapshot(Step: 50, LastStep: 100, Loss: 0.012345, ImagesPerSecond: 45.06, Remaining: TimeSpan.FromSeconds(65));
        Assert.Equal("[#####-----] step 50/100  loss 0.01235  45.1 images/s  ETA 1:05", snapshot.ToLine(barWidth: 10));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.4, "0:59")]
    [InlineData(3599, "59:59")]
    [InlineData(3600 + 62, "1:01:02")]
    [InlineData(26 * 3600, "26:00:00")]
    public void DurationsReadAsMinutesOrHours(double seconds, string expected) =>
        Assert.Equal(expected, ProgressSnapshot.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void AStepBeforeTheSessionStartIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ProgressSnapshot.Estimate(3, 5, 10, 1, 0, TimeSpan.Zero));
        Assert.Contains("first 5, step 3", e.Message);
    }
}
