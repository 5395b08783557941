using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>The layer factories the U-Net blocks share (NCSN++ conventions).</summary>
static class UNetLayers
{
    /// <summary>GroupNorm over <paramref name="channels"/> with min(C / 4, 32) groups (or the largest divisor of C
    /// below that), eps 1e-6.</summary>
    public static GroupNorm Norm(int channels)
    {
        int groups = Math.Max(1, Math.Min(channels / 4, 32));
        while (channels % groups != 0) groups--;
        var norm = GroupNorm(groups, channels, eps: 1e-6);
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised (NaN seen); PyTorch's are 1 and 0.
        using (no_grad())
        {
            init.ones_(norm.weight!);
            init.zeros_(norm.bias!);
        }
        return norm;
    }

    /// <summary>3x3 conv with padding 1 (size preserving).</summary>
    public static Conv2d Conv3x3(int inChannels, int outChannels) => Conv2d(inChannels, outChannels, 3, padding: 1);
}
