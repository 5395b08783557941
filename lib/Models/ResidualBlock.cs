using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// DDPM++ residual block (Song et al. 2021; Ho et al. 2020): GroupNorm, SiLU, 3x3 conv, + Dense(SiLU(temb)),
/// GroupNorm, SiLU, dropout, 3x3 conv; the skip is a 1x1 conv when the channel count changes; output
/// (skip + h) / sqrt(2) (NCSN++'s skip_rescale). The additions and the rescale write into the conv outputs in place
/// (the conv backward does not read its output), which saves an image-sized allocation each.
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor, Tensor>
{
    readonly GroupNorm norm0;
    readonly Conv2d conv0;
    readonly Linear timeProjection;
    readonly GroupNorm norm1;
    readonly Dropout dropout;
    readonly Conv2d conv1;
    readonly Module<Tensor, Tensor> skip;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="embeddingDim">Dimension of the time embedding.</param>
    /// <param name="dropoutProbability">Dropout before the second conv.</param>
    public ResidualBlock(int inChannels, int outChannels, int embeddingDim, double dropoutProbability) : base(nameof(ResidualBlock))
    {
        norm0 = UNetLayers.Norm(inChannels);
        conv0 = UNetLayers.Conv3x3(inChannels, outChannels);
        timeProjection = Linear(embeddingDim, outChannels);
        norm1 = UNetLayers.Norm(outChannels);
        dropout = Dropout(dropoutProbability);
        conv1 = UNetLayers.Conv3x3(outChannels, outChannels);
        skip = inChannels == outChannels ? Identity() : Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <param name="x">Features [B, C_in, H, W].</param>
    /// <param name="embedding">Time embedding [B, D].</param>
    /// <returns>[B, C_out, H, W].</returns>
    public override Tensor forward(Tensor x, Tensor embedding)
    {
        using var scope = NewDisposeScope();
        var h = conv0.call(functional.silu(norm0.call(x)));
        h.add_(timeProjection.call(functional.silu(embedding)).unsqueeze(-1).unsqueeze(-1));
        h = conv1.call(dropout.call(functional.silu(norm1.call(h))));
        return h.add_(skip.call(x)).mul_(1 / Math.Sqrt(2)).MoveToOuterDisposeScope();   // (skip + h) / sqrt(2)
    }
}
