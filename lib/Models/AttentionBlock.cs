using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// Single-head self-attention over the H x W positions (DDPM / NCSN++ AttnBlock): GroupNorm, 1x1 convs to q, k, v,
/// softmax(q^T k / sqrt(C)) v, 1x1 output conv, (x + h) / sqrt(2).
/// </summary>
public sealed class AttentionBlock : Module<Tensor, Tensor>
{
    readonly GroupNorm norm;
    readonly Conv2d qkv;
    readonly Conv2d output;

    /// <param name="channels">C of the features.</param>
    public AttentionBlock(int channels) : base(nameof(AttentionBlock))
    {
        norm = UNetLayers.Norm(channels);
        qkv = Conv2d(channels, 3 * channels, 1);
        output = Conv2d(channels, channels, 1);
        RegisterComponents();
    }

    /// <param name="x">Features [B, C, H, W].</param>
    /// <returns>[B, C, H, W].</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var qkvFlat = qkv.forward(norm.forward(x)).reshape(b, 3, c, h * w);
        var (q, k, v) = (qkvFlat[.., 0], qkvFlat[.., 1], qkvFlat[.., 2]);             // [B, C, N] each
        var weights = softmax(matmul(q.transpose(1, 2), k) / Math.Sqrt(c), -1);      // [B, N, N]
        var attended = matmul(v, weights.transpose(1, 2)).reshape(b, c, h, w);       // sum_j w_ij v_j
        return ((x + output.forward(attended)) / Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}
