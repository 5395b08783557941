using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>Shape checks shared by the corruptions C_t (Soft Diffusion, Section 3): images [B, C, H, W] and times [B].</summary>
static class CorruptionArguments
{
    /// <summary>Throws unless <paramref name="x"/> has rank 4 and a floating-point dtype.</summary>
    internal static void CheckImages(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 4)
            throw new ArgumentException($"Expected {name} of rank 4 [B, C, H, W], received rank {x.dim()} with shape {Shape(x)}.", name);
        if (!x.is_floating_point())
            throw new ArgumentException($"Expected {name} of a floating-point dtype (float32 or float64), received {x.dtype} " +
                "(images as bytes 0..255 are scaled to [-1, 1] first: x.to(float32) / 127.5 - 1).", name);
    }

    /// <summary>Throws unless x is [B, C, H, W] and t is [B] with entries in [0, 1].</summary>
    internal static void CheckImagesAndTimes(Tensor x, Tensor t)
    {
        CheckImages(x, "x");
        ArgumentNullException.ThrowIfNull(t, "t");
        TimeArguments.CheckVector(t, "t");
        if (t.shape[0] != x.shape[0])
            throw new ArgumentException($"Expected t of shape [{x.shape[0]}] (one time per image of x {Shape(x)}), received {Shape(t)}.", "t");
    }

    /// <summary>Throws unless the last two dimensions of x are H x W.</summary>
    internal static void CheckSize(Tensor x, long height, long width, string name)
    {
        if (x.shape[^2] != height || x.shape[^1] != width)
            throw new ArgumentException($"Expected {name} with H x W = {height} x {width}, received shape {Shape(x)}.", name);
    }

    /// <summary>A shape as "[a, b, c]" for messages.</summary>
    internal static string Shape(Tensor x) => $"[{string.Join(", ", x.shape)}]";
}
