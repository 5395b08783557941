using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>Doubles H and W: nearest-neighbour upsampling, then a 3x3 conv (DDPM++ Upsample with conv).</summary>
public sealed class Upsample : Module<Tensor, Tensor>
{
    readonly Conv2d conv;

    /// <param name="channels">C, unchanged.</param>
    public Upsample(int channels) : base(nameof(Upsample))
    {
        conv = UNetLayers.Conv3x3(channels, channels);
        RegisterComponents();
    }

    /// <param name="x">[B, C, H, W].</param>
    /// <returns>[B, C, 2H, 2W].</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var up = functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        return conv.call(up).MoveToOuterDisposeScope();
    }
}
