using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Tests.Training;

public sealed class CheckpointTests
{
    [Fact]
    public void AFailedWriteLeavesThePreviousFileIntact()
    {
        string folder = TrainingFixtures.TemporaryDirectory();
        string path = Path.Combine(folder, "latest.ckpt");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([9, 9, 9, 9, 9]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", failure.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder));   // no partial temporary file left behind
    }

    [Fact]
    public void ACheckpointOfAnotherConfigurationIsRefusedWithTheDifference()
    {
        var data = TrainingFixtures.Images(8);
        string path = Path.Combine(TrainingFixtures.TemporaryDirectory(), "small.ckpt");
        using (var initial = new UNet(UNetConfig.Tiny(1)))
        using (var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options))
            trainer.SaveCheckpoint(path);

        using var wider = new UNet(UNetConfig.Tiny(1) with { BaseChannels = 12 });
        using var other = TrainingFixtures.Create(wider, data, TrainingFixtures.Options);
        var error = Assert.Throws<ArgumentException>(() => other.LoadCheckpoint(path));

        Assert.Contains("checkpoint base channels 8, this model 12", error.Message);
        Assert.Equal(0, other.Step);
    }

    [Fact]
    public void TheRecordRoundTrips()
    {
        var data = TrainingFixtures.Images(8);
        string path = Path.Combine(TrainingFixtures.TemporaryDirectory(), "one.ckpt");
        using var initial = new UNet(UNetConfig.Tiny(1));
        using var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options);
        trainer.Train(3);
        trainer.SaveCheckpoint(path);

        using var fresh = TrainingFixtures.Create(new UNet(UNetConfig.Tiny(1)), data, TrainingFixtures.Options);
        fresh.LoadCheckpoint(path);

        Assert.Equal(3, fresh.Step);
        Assert.Equal(new DataPosition(1, 1), fresh.Position);   // 8 images / batch 4 = 2 batches per epoch
        Assert.True(TrainingFixtures.SameWeights(trainer.Network, fresh.Network));
        Assert.True(TrainingFixtures.SameWeights(trainer.EmaNetwork, fresh.EmaNetwork));
    }
}
