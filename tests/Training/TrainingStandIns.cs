using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

/// <summary>Test loss with a noise level large enough to learn from in a few steps: x_t = x_0 + sigma_t eta with
/// sigma_t = 0.1 + 0.9 t, per-sample mean of (x0_hat - x_0)^2. Optionally returns NaN from a given call on.</summary>
sealed class MseStandInLoss(long nanFromCall = long.MaxValue) : ITrainingLoss
{
    long calls;

    public Tensor PerSample(IDenoiser denoiser, Tensor x0, Tensor t, Tensor eta)
    {
        using var scope = NewDisposeScope();
        var sigma = (0.1 + 0.9 * t).view(-1, 1, 1, 1);
        var x0Hat = denoiser.Denoise(x0 + sigma * eta, t);
        var perSample = (x0Hat - x0).square().mean([1, 2, 3]);
        if (++calls >= nanFromCall) perSample = perSample * double.NaN;
        return perSample.MoveToOuterDisposeScope();
    }
}

/// <summary>Small trainers for the tests: the tiny U-Net on 8 x 8 one-channel images.</summary>
static class TrainingFixtures
{
    /// <summary>N images [1, 8, 8]: image k is a smooth ramp with a random sign and a little random texture.</summary>
    public static TensorImageDataset Images(int count, ulong seed = 3)
    {
        using var g = new Generator(seed);
        var ramp = linspace(-1, 1, 8).view(1, 1, 1, 8).expand(count, 1, 8, 8);
        var sign = (rand([count, 1, 1, 1], generator: g) > 0.5).to(ScalarType.Float32) * 2 - 1;
        var images = (0.8 * sign * ramp + 0.1 * randn([count, 1, 8, 8], generator: g)).contiguous();
        return new TensorImageDataset(images);
    }

    /// <summary>The tiny network with dropout (to exercise the default generator in resume tests).</summary>
    public static UNetConfig Config => UNetConfig.Tiny(1) with { Dropout = 0.1 };

    /// <summary>A trainer whose network starts from <paramref name="initial"/>'s weights.</summary>
    public static Trainer Create(UNet initial, IImageDataset data, TrainingOptions options, RunDirectory? run = null, ITrainingLoss? loss = null)
    {
        var network = new UNet(initial.Config);
        network.load_state_dict(initial.state_dict());
        return new Trainer(network, new ResidualDenoiser(network), loss ?? new MseStandInLoss(), data, options, run);
    }

    /// <summary>Options for fast tests: batch 4, short warm-up, larger rate.</summary>
    public static TrainingOptions Options => new(LearningRate: 1e-3, WarmupSteps: 3, BatchSize: 4, Seed: 7, LogEvery: 2, CheckpointEvery: 2);

    /// <summary>Whether every parameter and buffer of <paramref name="a"/> equals <paramref name="b"/>'s bit for bit.</summary>
    public static bool SameWeights(nn.Module a, nn.Module b)
    {
        var (left, right) = (a.state_dict(), b.state_dict());
        return left.Count == right.Count && left.All(kv => kv.Value.equal(right[kv.Key]).all().item<bool>());
    }

    /// <summary>A fresh temporary folder.</summary>
    public static string TemporaryDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "softdiffusion-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>A stream that accepts <c>capacity</c> bytes, then fails like a full disk (ENOSPC).</summary>
sealed class DiskFullStream(Stream inner, long capacity) : Stream
{
    long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;
    public override long Position { get => written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (written + buffer.Length > capacity) throw new IOException("No space left on device (simulated)");
        inner.Write(buffer);
        written += buffer.Length;
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
