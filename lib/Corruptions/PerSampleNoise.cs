using static TorchSharp.torch;

namespace SoftDiffusion.Corruptions;

/// <summary>
/// One random generator per sample, so sample k draws the same noise whatever the batch it is generated in
/// (a sample's seed is <c>seed + k</c>). Every random draw of the samplers and start distributions goes through it.
/// </summary>
public sealed class PerSampleNoise : IDisposable
{
    readonly Generator[] generators;

    /// <summary>Generators for samples <paramref name="firstIndex"/> .. firstIndex + count - 1 of the run with <paramref name="seed"/>.</summary>
    public PerSampleNoise(long seed, int count, long firstIndex = 0)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Expected at least one sample.");
        generators = Enumerable.Range(0, count).Select(k => new Generator(unchecked((ulong)(seed + firstIndex + k)))).ToArray();
    }

    /// <summary>Number of samples B.</summary>
    public int Count => generators.Length;

    /// <summary>Standard normal noise [B, ..shape] with sample k drawn from generator k.</summary>
    public Tensor Randn(long[] shapePerSample, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var parts = generators.Select(g => randn(shapePerSample, dtype: dtype, generator: g)).ToArray();
        return stack(parts).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>Uniform [0, 1) values [B, ..shape], sample k from generator k.</summary>
    public Tensor Rand(long[] shapePerSample, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var parts = generators.Select(g => rand(shapePerSample, dtype: dtype, generator: g)).ToArray();
        return stack(parts).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var g in generators) g.Dispose();
    }
}
