using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// p_1 = N(0, sigma_1^2 I) (docs/method.md §5): exact for masking, where C_1 = 0 and x_1 is pure noise.
/// </summary>
public sealed class IsotropicGaussianStart : IStartDistribution
{
    readonly long[] shape;
    readonly double sigma1;

    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="noise">The noise schedule; its sigma_1 is the standard deviation.</param>
    public IsotropicGaussianStart(long channels, long height, long width, INoiseSchedule noise)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Expected C, H, W >= 1, received {channels} x {height} x {width}.");
        ArgumentNullException.ThrowIfNull(noise);
        shape = [channels, height, width];
        sigma1 = noise.Sigma(1.0);
    }

    /// <inheritdoc/>
    public Tensor Sample(PerSampleNoise noise, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        return (noise.Randn(shape, dtype, device) * sigma1).MoveToOuterDisposeScope();
    }
}
