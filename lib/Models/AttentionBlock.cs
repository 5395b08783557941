using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// Single-head self-attention over the H x W positions (DDPM / NCSN++ AttnBlock): GroupNorm, 1x1 convs to q, k, v,
/// softmax(q^T k / sqrt(C)) v, 1x1 output conv, (x + h) / sqrt(2). The attention itself is libtorch's fused
/// scaled_dot_product_attention (same formula, fewer kernels and no stored N x N product).
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
        var qkvFlat = qkv.call(norm.call(x)).reshape(b, 3, c, h * w).transpose(2, 3);   // [B, 3, N, C]
        var (q, k, v) = (qkvFlat[.., 0], qkvFlat[.., 1], qkvFlat[.., 2]);                    // [B, N, C] each
        // sum_j softmax_j(q_i . k_j / sqrt(C)) v_j for every position i
        var attended = functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, c, h, w);
        return output.call(attended).add_(x).mul_(1 / Math.Sqrt(2)).MoveToOuterDisposeScope();   // (x + h) / sqrt(2)
    }
}
