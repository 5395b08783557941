using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Streaming mean mu and covariance S of feature vectors: the Gaussian that FID fits to a set of images
/// (docs/method.md §7.1). Accumulated in float64 with the pairwise update of Chan, Golub and LeVeque (1979): each batch
/// contributes its own mean and centred scatter matrix, and two partial results combine exactly as two batches do,
/// so no raw sum of squares of large values is ever formed.
/// </summary>
/// <remarks>
/// File format (little-endian): magic "SDFIDSTS", int32 version 1, int32 D, int64 N, then D float64 (mu) and D x D
/// float64 (the scatter matrix sum_i (x_i - mu)(x_i - mu)^T = S (N - 1), row-major).
/// </remarks>
public sealed class FidStatistics : IDisposable
{
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("SDFIDSTS");
    const int FormatVersion = 1;
    const int HeaderBytes = 8 + 4 + 4 + 8;

    Tensor mean;     // mu [D], float64
    Tensor scatter;  // M = sum_i (x_i - mu)(x_i - mu)^T [D, D], float64

    /// <summary>Empty statistics of <paramref name="dimension"/>-dimensional features, kept on <paramref name="device"/> (CPU by default).</summary>
    public FidStatistics(int dimension, Device? device = null)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Expected a positive feature dimension.");
        Dimension = dimension;
        mean = zeros(dimension, dtype: ScalarType.Float64, device: device ?? CPU).DetachFromDisposeScope();
        scatter = zeros(dimension, dimension, dtype: ScalarType.Float64, device: device ?? CPU).DetachFromDisposeScope();
    }

    /// <summary>Feature dimension D.</summary>
    public int Dimension { get; }

    /// <summary>Number of feature vectors N accumulated.</summary>
    public long Count { get; private set; }

    /// <summary>Mean mu [D], float64; a new tensor the caller owns.</summary>
    public Tensor Mean => mean.clone();

    /// <summary>Unbiased covariance S = M / (N - 1) [D, D], float64; a new tensor the caller owns. Needs N &gt;= 2.</summary>
    public Tensor Covariance => Count >= 2
        ? scatter / (Count - 1)
        : throw new InvalidOperationException($"The covariance needs at least 2 feature vectors; {Count} were accumulated.");

    /// <summary>Statistics of one feature matrix.</summary>
    /// <param name="features">Features [N, D].</param>
    public static FidStatistics FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"Expected features [N, D], got shape [{string.Join(", ", features.shape)}].", nameof(features));
        var statistics = new FidStatistics((int)features.shape[1], features.device);
        statistics.Add(features);
        return statistics;
    }

    /// <summary>Adds a batch of feature vectors; NaN or infinite values are rejected.</summary>
    /// <param name="features">Features [N, D], any floating dtype, any device (moved to this object's device).</param>
    public void Add(Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != Dimension)
            throw new ArgumentException($"Expected features [N, {Dimension}], got shape [{string.Join(", ", features.shape)}].", nameof(features));
        if (features.shape[0] == 0) return;
        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float64, mean.device);
        RejectNonFinite(x);
        var batchMean = x.mean([0]);
        var centred = x - batchMean;
        Combine(x.shape[0], batchMean, centred.T.matmul(centred));
    }

    /// <summary>Adds another set's statistics, as if its features had been added here.</summary>
    public void Merge(FidStatistics other)
    {
        if (other.Dimension != Dimension)
            throw new ArgumentException($"Cannot merge {other.Dimension}-dimensional statistics into {Dimension}-dimensional ones.", nameof(other));
        if (other.Count == 0) return;
        using var scope = NewDisposeScope();
        Combine(other.Count, other.mean.to(mean.device), other.scatter.to(mean.device));
    }

    /// <summary>
    /// Chan et al.'s pairwise combination of (N_a, mu_a, M_a) with (N_b, mu_b, M_b):
    /// delta = mu_b - mu_a; mu = mu_a + delta N_b / N; M = M_a + M_b + delta delta^T N_a N_b / N.
    /// </summary>
    void Combine(long countB, Tensor meanB, Tensor scatterB)
    {
        long countA = Count, count = countA + countB;
        var delta = meanB - mean;
        var newMean = mean + delta * ((double)countB / count);
        var newScatter = scatter + scatterB + outer(delta, delta) * ((double)countA * countB / count);
        Replace(newMean, newScatter);
        Count = count;
    }

    void Replace(Tensor newMean, Tensor newScatter)
    {
        mean.Dispose();
        scatter.Dispose();
        mean = newMean.DetachFromDisposeScope();
        scatter = newScatter.DetachFromDisposeScope();
    }

    static void RejectNonFinite(Tensor x)
    {
        long bad = x.isfinite().logical_not().sum().item<long>();
        if (bad > 0)
            throw new ArgumentException(
                $"Expected finite features; {bad} of {x.numel()} values are NaN or infinite (broken images or a diverged model?).");
    }

    /// <summary>Writes the statistics to a small binary file (format in the remarks).</summary>
    public void Save(string path)
    {
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Dimension);
        writer.Write(Count);
        writer.Write(MemoryMarshal.AsBytes<double>(ToArray(mean)));
        writer.Write(MemoryMarshal.AsBytes<double>(ToArray(scatter)));
    }

    static double[] ToArray(Tensor t)
    {
        using var cpuCopy = t.cpu().contiguous();
        return cpuCopy.data<double>().ToArray();
    }

    /// <summary>Reads statistics written by <see cref="Save"/>.</summary>
    /// <param name="path">The statistics file.</param>
    /// <param name="expectedDimension">When given, a file of another dimension is an error (statistics of another extractor).</param>
    /// <param name="device">Where to keep the tensors (CPU by default).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic or version, another dimension, or a truncated or over-long file; the message names the file.</exception>
    public static FidStatistics Load(string path, int? expectedDimension = null, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"FID statistics file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var (dimension, count) = ReadHeader(reader, path, expectedDimension);
        long expectedLength = HeaderBytes + 8L * (dimension + (long)dimension * dimension);
        if (stream.Length != expectedLength)
            throw new InvalidDataException(
                $"FID statistics file '{path}' is {(stream.Length < expectedLength ? "truncated" : "too long")}: {stream.Length} bytes where " +
                $"{expectedLength} were expected for D = {dimension}.");
        var statistics = new FidStatistics(dimension, device);
        statistics.Replace(ReadTensor(reader, [dimension], device), ReadTensor(reader, [dimension, dimension], device));
        statistics.Count = count;
        return statistics;
    }

    static (int Dimension, long Count) ReadHeader(BinaryReader reader, string path, int? expectedDimension)
    {
        if (reader.BaseStream.Length < HeaderBytes)
            throw new InvalidDataException($"FID statistics file '{path}' is truncated: {reader.BaseStream.Length} bytes, shorter than the {HeaderBytes}-byte header.");
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException(
                $"'{path}' is not an FID statistics file: it starts with '{Encoding.ASCII.GetString(magic)}' where '{Encoding.ASCII.GetString(Magic)}' was expected.");
        int version = reader.ReadInt32(), dimension = reader.ReadInt32();
        long count = reader.ReadInt64();
        if (version != FormatVersion)
            throw new InvalidDataException($"FID statistics file '{path}' has format version {version}; this library reads version {FormatVersion}.");
        if (dimension <= 0 || count < 0)
            throw new InvalidDataException($"FID statistics file '{path}' has an invalid header: D = {dimension}, N = {count}.");
        if (expectedDimension is int expected && expected != dimension)
            throw new InvalidDataException(
                $"FID statistics file '{path}' holds {dimension}-dimensional statistics where {expected}-dimensional ones were expected " +
                "(statistics of another feature extractor?).");
        return (dimension, count);
    }

    static Tensor ReadTensor(BinaryReader reader, long[] shape, Device? device)
    {
        var values = new double[shape.Aggregate(1L, (a, b) => a * b)];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        using var scope = NewDisposeScope();
        return tensor(values, shape, ScalarType.Float64).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        mean.Dispose();
        scatter.Dispose();
    }
}
