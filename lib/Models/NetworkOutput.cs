using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>The check the parametrised denoisers share: phi(x_t, t) must have the shape of x_t.</summary>
internal static class NetworkOutput
{
    /// <summary>Throws InvalidOperationException naming both shapes when <paramref name="phi"/> is not shaped like <paramref name="xT"/>.</summary>
    public static Tensor ShapedLike(Tensor phi, Tensor xT) => phi.shape.SequenceEqual(xT.shape) ? phi
        : throw new InvalidOperationException(
            $"The network must return the shape of x_t [{string.Join(", ", xT.shape)}]; it returned [{string.Join(", ", phi.shape)}].");
}
