using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// Masking C_t = diag(m_t) (Soft Diffusion, Section 3, a singular corruption; docs/method.md §2.2): the same mask on every
/// channel, masked pixels set to 0, a masked fraction rho(t) rising from 0 to 1 (linear by default, [choice]).
/// Each pixel p has a key; it is masked when key_p &lt; threshold(t):
/// <see cref="MaskPattern.RandomPixelOrder"/>: key = rank of p in a fixed permutation, threshold = floor(rho(t) H W);
/// <see cref="MaskPattern.CentredSquare"/>: key = 2 max(|i + 1/2 - H/2|, |j + 1/2 - W/2|), threshold = sqrt(rho(t)) max(H, W).
/// Symmetric and idempotent: C_t^T = C_t, C_t C_t = C_t.
/// </summary>
public sealed class MaskCorruption : ICorruption
{
    readonly Tensor keys;                      // [H, W] float64, CPU
    readonly Func<Tensor, Tensor> fraction;    // rho(t)

    /// <summary>Image height H.</summary>
    public long Height { get; }

    /// <summary>Image width W.</summary>
    public long Width { get; }

    /// <summary>The pattern.</summary>
    public MaskPattern Pattern { get; }

    /// <summary>The pixel order [H W] (int64, CPU; row-major pixel indices, masked first) for RandomPixelOrder, else null. Save it with a run.</summary>
    public Tensor? Permutation { get; }

    /// <summary>A mask for H x W images with the options' pattern (the permutation is drawn from the options' seed).</summary>
    public MaskCorruption(long height, long width, MaskCorruptionOptions? options = null)
        : this(height, width, options ?? new MaskCorruptionOptions(), permutation: null) { }

    /// <summary>A RandomPixelOrder mask with a given (saved) permutation [H W] of 0..H W - 1.</summary>
    public MaskCorruption(long height, long width, Tensor permutation, Func<Tensor, Tensor>? fraction = null)
        : this(height, width, new MaskCorruptionOptions(MaskPattern.RandomPixelOrder, Fraction: fraction),
               permutation ?? throw new ArgumentNullException(nameof(permutation))) { }

    MaskCorruption(long height, long width, MaskCorruptionOptions options, Tensor? permutation)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Expected H, W >= 1, received {height} x {width}.");
        (Height, Width, Pattern) = (height, width, options.Pattern);
        fraction = options.Fraction ?? (t => t.alias());
        using var scope = NewDisposeScope();
        if (Pattern == MaskPattern.RandomPixelOrder)
        {
            var order = permutation is null ? DrawPermutation(height * width, options.Seed) : CheckedPermutation(permutation, height * width);
            Permutation = order.DetachFromDisposeScope();
            keys = empty(height * width, dtype: ScalarType.Float64)
                .index_put_(arange(height * width, dtype: ScalarType.Float64), order).view(height, width).DetachFromDisposeScope();
        }
        else
            keys = SquareKeys(height, width).DetachFromDisposeScope();
    }

    static Tensor DrawPermutation(long n, ulong seed)
    {
        using var g = new Generator(seed);
        return randperm(n, generator: g, dtype: ScalarType.Int64);
    }

    static Tensor CheckedPermutation(Tensor p, long n)
    {
        using var scope = NewDisposeScope();
        var isPermutation = p.dim() == 1 && p.shape[0] == n
            && p.to(ScalarType.Int64, CPU).sort().Values.eq(arange(n, dtype: ScalarType.Int64)).all().item<bool>();
        if (!isPermutation)
            throw new ArgumentException($"Expected a permutation of 0..{n - 1} of shape [{n}], received shape {CorruptionArguments.Shape(p)} that is not one.", nameof(p));
        return p.to(ScalarType.Int64, CPU).clone().MoveToOuterDisposeScope();
    }

    static Tensor SquareKeys(long height, long width)
    {
        var di = (arange(height, dtype: ScalarType.Float64) + 0.5 - height / 2.0).abs().unsqueeze(1);
        var dj = (arange(width, dtype: ScalarType.Float64) + 0.5 - width / 2.0).abs().unsqueeze(0);
        return maximum(di, dj) * 2;
    }

    /// <summary>The mask m_t [B, 1, H, W] (1 kept, 0 masked) in the given dtype and device.</summary>
    public Tensor Mask(Tensor t, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        TimeArguments.CheckVector(t, nameof(t));
        using var scope = NewDisposeScope();
        var rho = fraction(t.to(ScalarType.Float64, CPU)).clamp(0, 1);
        var threshold = Pattern == MaskPattern.RandomPixelOrder
            ? (rho * (Height * Width)).floor()
            : rho.sqrt() * Math.Max(Height, Width);
        var kept = keys.unsqueeze(0) >= threshold.view(-1, 1, 1);
        return kept.unsqueeze(1).to(dtype, device ?? t.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor x, Tensor t)
    {
        CorruptionArguments.CheckImagesAndTimes(x, t);
        CorruptionArguments.CheckSize(x, Height, Width, nameof(x));
        using var scope = NewDisposeScope();
        return (x * Mask(t, x.dtype, x.device)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor ApplyTransposed(Tensor x, Tensor t) => Apply(x, t);
}
