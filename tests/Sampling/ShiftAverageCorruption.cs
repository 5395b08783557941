using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Sampling;

/// <summary>
/// Test-local non-diagonal, non-symmetric linear C_t: an inner corruption followed by averaging each pixel with its
/// right neighbour (circular), (x + roll(x)) / 2 on the width axis.
/// </summary>
sealed class ShiftAverageCorruption(ICorruption inner) : ICorruption
{
    public Tensor Apply(Tensor x, Tensor t)
    {
        var y = inner.Apply(x, t);
        return (y + y.roll(-1, 3)) / 2;
    }

    public Tensor ApplyTransposed(Tensor x, Tensor t) => inner.ApplyTransposed((x + x.roll(1, 3)) / 2, t);
}
