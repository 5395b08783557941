using static TorchSharp.torch;

namespace SoftDiffusion.Schedules;

/// <summary>Checks that corruption times lie in [0, 1] (Soft Diffusion, Section 3: t = 0 clean, t = 1 most corrupted).</summary>
static class TimeArguments
{
    /// <summary>Throws unless <paramref name="t"/> is a vector [B] with every entry in [0, 1] (NaN fails).</summary>
    internal static void CheckVector(Tensor t, string name)
    {
        if (t.dim() != 1)
            throw new ArgumentException($"Expected {name} of rank 1 [B], received rank {t.dim()} with shape [{string.Join(", ", t.shape)}].", name);
        if (t.numel() == 0) return;
        using var scope = NewDisposeScope();
        var min = t.min().to(ScalarType.Float64).item<double>();
        var max = t.max().to(ScalarType.Float64).item<double>();
        if (!(min >= 0 && max <= 1))
            throw new ArgumentOutOfRangeException(name, $"Expected {name} in [0, 1], received values in [{min}, {max}].");
    }

    /// <summary>Throws unless <paramref name="t"/> is in [0, 1].</summary>
    internal static void CheckScalar(double t, string name)
    {
        if (!(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(name, t, $"Expected {name} in [0, 1], received {t}.");
    }
}
