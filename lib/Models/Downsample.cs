using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>Halves H and W with a stride-2 3x3 conv (DDPM++ Downsample with conv).</summary>
public sealed class Downsample : Module<Tensor, Tensor>
{
    readonly Conv2d conv;

    /// <param name="channels">C, unchanged.</param>
    public Downsample(int channels) : base(nameof(Downsample))
    {
        conv = Conv2d(channels, channels, 3, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <param name="x">[B, C, H, W] with even H, W.</param>
    /// <returns>[B, C, H/2, W/2].</returns>
    public override Tensor forward(Tensor x) => conv.call(x);
}
