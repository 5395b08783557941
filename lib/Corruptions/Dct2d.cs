using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// The orthonormal 2-D DCT-II on the last two dimensions (the basis that diagonalises the heat-equation blur of
/// Soft Diffusion, docs/method.md §2.1): X^ = D_H X D_W^T with D[k, i] = sqrt(2/N) cos(pi (2i + 1) k / (2N)), row 0 times
/// 1/sqrt(2), so D D^T = I and the inverse is D_H^T X^ D_W. Matrices are cached per (N, device, dtype).
/// </summary>
public static class Dct2d
{
    static readonly ConcurrentDictionary<(long N, DeviceType Type, int Index, ScalarType Dtype), Tensor> cache = new();

    /// <summary>The DCT-II matrix D [N, N] (orthonormal). The cached tensor is shared: do not dispose or modify it.</summary>
    public static Tensor Matrix(long n, Device device, ScalarType dtype)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, $"Expected a size N >= 1, received {n}.");
        return cache.GetOrAdd((n, device.type, device.index, dtype), _ => Build(n, device, dtype));
    }

    static Tensor Build(long n, Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var k = arange(n, dtype: ScalarType.Float64).unsqueeze(1);
        var i = arange(n, dtype: ScalarType.Float64).unsqueeze(0);
        var d = (Math.PI * (2 * i + 1) * k / (2.0 * n)).cos() * Math.Sqrt(2.0 / n);
        d[0] = d[0] / Math.Sqrt(2.0);
        return d.to(dtype, device).DetachFromDisposeScope();
    }

    /// <summary>DCT2(x) = D_H x D_W^T on the last two dimensions of x [..., H, W].</summary>
    public static Tensor Forward(Tensor x)
    {
        CheckRank(x, nameof(x));
        using var scope = NewDisposeScope();
        var dH = Matrix(x.shape[^2], x.device, x.dtype);
        var dW = Matrix(x.shape[^1], x.device, x.dtype);
        return matmul(matmul(dH, x), dW.t()).MoveToOuterDisposeScope();
    }

    /// <summary>IDCT2(X^) = D_H^T X^ D_W on the last two dimensions of X^ [..., H, W].</summary>
    public static Tensor Inverse(Tensor xHat)
    {
        CheckRank(xHat, nameof(xHat));
        using var scope = NewDisposeScope();
        var dH = Matrix(xHat.shape[^2], xHat.device, xHat.dtype);
        var dW = Matrix(xHat.shape[^1], xHat.device, xHat.dtype);
        return matmul(matmul(dH.t(), xHat), dW).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The squared frequencies w_k^2 + w_l^2 [H, W] of the DCT coefficients, w_k = pi k / H, w_l = pi l / W
    /// (the exponent of the heat kernel, docs/method.md §2.1).
    /// </summary>
    public static Tensor SquaredFrequencies(long height, long width, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Expected H, W >= 1, received {height} x {width}.");
        using var scope = NewDisposeScope();
        var wk = arange(height, dtype: ScalarType.Float64) * (Math.PI / height);
        var wl = arange(width, dtype: ScalarType.Float64) * (Math.PI / width);
        var grid = wk.square().unsqueeze(1) + wl.square().unsqueeze(0);
        return grid.to(dtype, device ?? CPU).MoveToOuterDisposeScope();
    }

    static void CheckRank(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() < 2)
            throw new ArgumentException($"Expected {name} of rank >= 2 [..., H, W], received rank {x.dim()}.", name);
    }
}
