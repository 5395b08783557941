using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Start;

/// <summary>
/// The DCT coefficients of C_1 x_0 that survive the strongest blur (attenuation d_kl(1) above a threshold), shared by the
/// start distributions fitted to them (docs/method.md §5): their indices and attenuations, the coefficients of training
/// images, and images made back from drawn coefficients, x_1 = IDCT2(c) + sigma_1 eta with the other coefficients 0.
/// </summary>
public sealed class SurvivingDctCoefficients : IDisposable
{
    // Images transformed at a time, so only a chunk is ever in float64 (CelebA-64's statistics images are 0.5 GB in float32).
    const long Chunk = 512;

    readonly Tensor attenuation;
    readonly long[] shape;

    SurvivingDctCoefficients(long[] shape, Tensor indices, Tensor attenuation) =>
        (this.shape, Indices, this.attenuation) = (shape, indices, attenuation);

    /// <summary>Flat indices (into C x H x W) of the surviving coefficients [n] (int64, CPU).</summary>
    public Tensor Indices { get; }

    /// <summary>Number of surviving coefficients n.</summary>
    public long Dimension => Indices.shape[0];

    /// <summary>[C, H, W] of the images.</summary>
    public long[] ImageShape => (long[])shape.Clone();

    /// <summary>The coefficients of [C, H, W] images with d_kl(1) above <paramref name="survivalThreshold"/>.</summary>
    /// <param name="blur">The blur corruption; its attenuation at t = 1 defines C_1.</param>
    /// <param name="shape">[C, H, W].</param>
    /// <param name="survivalThreshold">Coefficients with d_kl(1) above it survive.</param>
    public static SurvivingDctCoefficients Of(BlurCorruption blur, long[] shape, double survivalThreshold = DctGaussianStart.DefaultSurvivalThreshold)
    {
        ArgumentNullException.ThrowIfNull(blur);
        if (shape.Length != 3) throw new ArgumentException($"Expected an image shape [C, H, W], got [{string.Join(", ", shape)}].", nameof(shape));
        using var scope = NewDisposeScope();
        long c = shape[0], h = shape[1], w = shape[2];
        var d = blur.Attenuation(1.0, h, w).to(ScalarType.Float64, CPU).expand(c, h, w).flatten();   // d(1) per coefficient
        var indices = (d > survivalThreshold).nonzero().flatten();
        return new SurvivingDctCoefficients([c, h, w], indices.DetachFromDisposeScope(), d.index_select(0, indices).DetachFromDisposeScope());
    }

    /// <summary>The surviving coefficients d X^ of images <paramref name="first"/> .. + <paramref name="count"/> - 1
    /// (X^ = DCT2(x_0), d = d(1)) [count, n], float64 on the CPU.</summary>
    /// <param name="images">Images [N, C, H, W].</param>
    /// <param name="first">First image.</param>
    /// <param name="count">Images.</param>
    public Tensor Of(Tensor images, long first, long count)
    {
        using var scope = NewDisposeScope();
        var x = images.narrow(0, first, count).to(ScalarType.Float64, CPU);
        return (Dct2d.Forward(x).flatten(1).index_select(1, Indices) * attenuation).MoveToOuterDisposeScope();
    }

    /// <summary>The surviving coefficients of all <paramref name="images"/> [N, n], float64 on the CPU, a chunk at a time.</summary>
    /// <param name="images">Images [N, C, H, W].</param>
    public Tensor OfAll(Tensor images)
    {
        CorruptionArguments.CheckImages(images, nameof(images));
        long count = images.shape[0];
        var chunks = new List<Tensor>();
        try
        {
            for (long first = 0; first < count; first += Chunk) chunks.Add(Of(images, first, Math.Min(Chunk, count - first)));
            return cat(chunks, 0);
        }
        finally
        {
            foreach (var chunk in chunks) chunk.Dispose();
        }
    }

    /// <summary>Images from drawn coefficients: x_1 = IDCT2(c) + sigma_1 eta, c the drawn coefficients at the surviving
    /// indices and 0 elsewhere, eta from generator k for sample k.</summary>
    /// <param name="surviving">Coefficients [B, n] (float64, CPU).</param>
    /// <param name="indices">Their flat indices into C x H x W [n] (<see cref="Indices"/>).</param>
    /// <param name="shape">[C, H, W].</param>
    /// <param name="sigma1">sigma_1.</param>
    /// <param name="noise">Per-sample generators (B).</param>
    /// <param name="dtype">Dtype of the images.</param>
    /// <param name="device">Device of the images.</param>
    public static Tensor Images(Tensor surviving, Tensor indices, long[] shape, double sigma1, PerSampleNoise noise, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var c = zeros([noise.Count, shape[0] * shape[1] * shape[2]], dtype: ScalarType.Float64);
        c.index_copy_(1, indices, surviving);
        var eta = noise.Randn(shape, dtype, device);
        return (Dct2d.Inverse(c.reshape([noise.Count, .. shape]).to(dtype, device)) + eta * sigma1).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Indices.Dispose();
        attenuation.Dispose();
    }
}
