using System.Text;
using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Tests.Training;

/// <summary>Checkpoint files end with the SHA-256 of their content: a truncated or bit-flipped file is refused with a
/// clear message before anything is loaded; files of the formats without checksum (v1, v2) are still read.</summary>
public sealed class CheckpointIntegrityTests
{
    [Fact]
    public void ATruncatedCheckpointIsRefusedAndNothingIsLoaded()
    {
        string path = SavedCheckpoint(steps: 2);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        var load = LoadIntoFreshTrainer(path);

        Assert.IsType<InvalidDataException>(load.Error);
        Assert.Contains($"Checkpoint '{path}' is damaged (truncated or corrupted", load.Error.Message);
        Assert.Contains("does not match the checksum", load.Error.Message);
        AssertNothingLoaded(load);
    }

    [Fact]
    public void ACheckpointWithOneFlippedBitIsRefusedAndNothingIsLoaded()
    {
        string path = SavedCheckpoint(steps: 2);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;                 // one bit inside the weights
        File.WriteAllBytes(path, bytes);

        var load = LoadIntoFreshTrainer(path);

        Assert.IsType<InvalidDataException>(load.Error);
        Assert.Contains("is damaged", load.Error.Message);
        Assert.Contains($"{bytes.Length:N0} bytes", load.Error.Message);
        AssertNothingLoaded(load);
    }

    [Fact]
    public void AFileCutInsideItsHeaderOrAnotherFileIsNotACheckpoint()
    {
        string path = SavedCheckpoint(steps: 1);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..10]);
        Assert.Contains("is not a checkpoint or is truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.ReadRecord(path)).Message);

        File.WriteAllText(path, "{\"step\": 3}");
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadRecord(path));
        Assert.Contains("expected the header 'SoftDiffusion checkpoint v3'", error.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void CheckpointsWrittenBeforeTheChecksumAreStillRead(int version)
    {
        string path = SavedCheckpoint(steps: 3);
        File.WriteAllBytes(path, OlderFormat(File.ReadAllBytes(path), version));

        using var load = LoadIntoFreshTrainer(path);

        Assert.Null(load.Error);
        Assert.Equal(3, load.Trainer.Step);
        Assert.False(TrainingFixtures.SameWeights(load.Initial, load.Trainer.Network), "the weights were loaded");
    }

    [Fact]
    public void ATruncatedCheckpointOfTheFormatWithoutChecksumIsRefusedClearly()
    {
        string path = SavedCheckpoint(steps: 1);
        var v2 = OlderFormat(File.ReadAllBytes(path), 2);
        File.WriteAllBytes(path, v2[..(v2.Length / 2)]);

        using var load = LoadIntoFreshTrainer(path);

        Assert.IsType<InvalidDataException>(load.Error);
        Assert.Contains("(format v2, without a checksum) is truncated or damaged", load.Error.Message);
    }

    [Fact]
    public void AFullDiskWhileWritingACheckpointLeavesThePreviousOneLoadable()
    {
        var data = TrainingFixtures.Images(8);
        string path = Path.Combine(TrainingFixtures.TemporaryDirectory(), "latest.ckpt");
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options);
        trainer.Train(1);
        trainer.SaveCheckpoint(path);
        var before = File.ReadAllBytes(path);
        trainer.Train(1);

        var full = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream => trainer.WriteCheckpoint(new DiskFullStream(stream, capacity: 20_000))));

        Assert.Contains("No space left on device", full.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temporary file left behind
        Assert.Equal(1, Checkpoint.ReadRecord(path).Step);
    }

    // A trainer of the fixtures' configuration with the given steps done, saved to a fresh file.
    static string SavedCheckpoint(int steps)
    {
        string path = Path.Combine(TrainingFixtures.TemporaryDirectory(), "latest.ckpt");
        using var initial = new UNet(TrainingFixtures.Config);
        using var trainer = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options);
        trainer.Train(steps);
        trainer.SaveCheckpoint(path);
        return path;
    }

    // A fresh trainer started from known weights, and what loading the file into it threw.
    sealed record Load(UNet Initial, Trainer Trainer, Exception? Error) : IDisposable
    {
        public void Dispose()
        {
            Trainer.Dispose();
            Initial.Dispose();
        }
    }

    static Load LoadIntoFreshTrainer(string path)
    {
        var initial = new UNet(TrainingFixtures.Config);
        var fresh = TrainingFixtures.Create(initial, TrainingFixtures.Images(8), TrainingFixtures.Options);
        return new Load(initial, fresh, Record.Exception(() => fresh.LoadCheckpoint(path)));
    }

    static void AssertNothingLoaded(Load load)
    {
        using (load)
        {
            Assert.Equal(0, load.Trainer.Step);
            Assert.Equal(new DataPosition(0, 0), load.Trainer.Position);
            Assert.True(TrainingFixtures.SameWeights(load.Initial, load.Trainer.Network), "weights were changed by a refused file");
            Assert.True(TrainingFixtures.SameWeights(load.Initial, load.Trainer.EmaNetwork), "EMA weights were changed by a refused file");
        }
    }

    // A v3 file rewritten as v2 (other header, no checksum) or v1 (also no loss normaliser state; the fixtures do not
    // normalise, so the state is the count 0 after the two generator states).
    static byte[] OlderFormat(byte[] v3, int version)
    {
        var body = v3[..^32];
        var magic = Encoding.UTF8.GetBytes($"SoftDiffusion checkpoint v{version}");
        magic.CopyTo(body, 1);                            // same length; byte 0 is the string's length prefix
        if (version == 2) return body;
        using var reader = new BinaryReader(new MemoryStream(body));
        reader.ReadString();
        int pairs = reader.ReadInt32();
        for (int i = 0; i < 2 * pairs; i++) reader.ReadString();
        reader.ReadBytes(24);                             // step, epoch, batch
        reader.ReadBytes(reader.ReadInt32());
        reader.ReadBytes(reader.ReadInt32());
        int at = (int)reader.BaseStream.Position;
        Assert.Equal(0, BitConverter.ToInt32(body, at));
        return [.. body[..at], .. body[(at + 4)..]];
    }
}
