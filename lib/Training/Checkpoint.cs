using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Everything needed to continue a run exactly (design.md "Runs"): the step, the data position, the trainer's
/// generator state and torch's default CPU generator state (dropout) in this record, and, in the file beside them,
/// the network, its EMA copy and the optimiser state (Adam's moments and step counts). The file also carries a
/// fingerprint of the configuration, checked before any weight is read. Files are written atomically.
/// </summary>
/// <param name="Fingerprint">(name, value) pairs that must match to load: the network configuration and image shape.</param>
/// <param name="Step">Number of updates done.</param>
/// <param name="Position">Position of the next training batch.</param>
/// <param name="GeneratorState">State of the trainer's generator (t and eta), torch Generator.get_state bytes.</param>
/// <param name="DefaultGeneratorState">State of torch's default CPU generator (used by dropout).</param>
/// <param name="LossNormaliserState">The running means of <see cref="TimeBinnedLossNormaliser"/>; empty when the run does not normalise.</param>
public sealed record Checkpoint(
    IReadOnlyList<(string Name, string Value)> Fingerprint,
    long Step,
    DataPosition Position,
    byte[] GeneratorState,
    byte[] DefaultGeneratorState,
    double[] LossNormaliserState)
{
    const string Magic = "SoftDiffusion checkpoint v2";
    const string MagicV1 = "SoftDiffusion checkpoint v1";   // v1: no loss normaliser state

    /// <summary>Writes the record and the state of <paramref name="network"/>, <paramref name="ema"/> and
    /// <paramref name="optimizer"/> to <paramref name="path"/>; a failure leaves the previous file intact.</summary>
    public void Write(string path, nn.Module network, nn.Module ema, OptimizerHelper optimizer) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            WriteHeader(writer);
            network.save(writer);
            ema.save(writer);
            optimizer.save_state_dict(writer);
        });

    /// <summary>Reads a checkpoint into <paramref name="network"/>, <paramref name="ema"/> and
    /// <paramref name="optimizer"/>, after checking its fingerprint against <paramref name="expectedFingerprint"/>.</summary>
    /// <exception cref="ArgumentException">The checkpoint was written for another configuration; the message names
    /// every difference, e.g. "checkpoint base channels 64, this model 32". Nothing is loaded then.</exception>
    public static Checkpoint Read(string path, IReadOnlyList<(string Name, string Value)> expectedFingerprint,
        nn.Module network, nn.Module ema, OptimizerHelper optimizer)
    {
        using var reader = new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8);
        var checkpoint = ReadHeader(reader, path);
        checkpoint.CheckFingerprint(expectedFingerprint, path);
        network.load(reader, strict: true);
        ema.load(reader, strict: true);
        optimizer.load_state_dict(reader);
        return checkpoint;
    }

    /// <summary>The bytes of a generator's state (torch Generator.get_state).</summary>
    public static byte[] StateOf(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    /// <summary>Restores a generator's state saved by <see cref="StateOf"/>.</summary>
    public static void Restore(Generator generator, byte[] state)
    {
        using var tensorState = tensor(state, dtype: ScalarType.Byte);
        generator.set_state(tensorState);
    }

    void CheckFingerprint(IReadOnlyList<(string Name, string Value)> expected, string path)
    {
        var stored = Fingerprint.ToDictionary(p => p.Name, p => p.Value);
        var differences = expected
            .Where(e => !stored.TryGetValue(e.Name, out var value) || value != e.Value)
            .Select(e => $"checkpoint {e.Name} {stored.GetValueOrDefault(e.Name, "(missing)")}, this model {e.Value}")
            .ToList();
        if (differences.Count > 0)
            throw new ArgumentException($"Checkpoint '{path}' was written for another configuration: {string.Join("; ", differences)}.");
    }

    void WriteHeader(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(Fingerprint.Count);
        foreach (var (name, value) in Fingerprint) { writer.Write(name); writer.Write(value); }
        writer.Write(Step);
        writer.Write(Position.Epoch);
        writer.Write(Position.Batch);
        WriteBytes(writer, GeneratorState);
        WriteBytes(writer, DefaultGeneratorState);
        writer.Write(LossNormaliserState.Length);
        foreach (double mean in LossNormaliserState) writer.Write(mean);
    }

    static Checkpoint ReadHeader(BinaryReader reader, string path)
    {
        string magic = reader.ReadString();
        if (magic != Magic && magic != MagicV1) throw new InvalidDataException($"'{path}' is not a checkpoint: expected header '{Magic}', found '{magic}'.");
        var fingerprint = Enumerable.Range(0, reader.ReadInt32()).Select(_ => (reader.ReadString(), reader.ReadString())).ToList();
        long step = reader.ReadInt64();
        var position = new DataPosition(reader.ReadInt64(), reader.ReadInt64());
        byte[] generatorState = ReadBytes(reader), defaultGeneratorState = ReadBytes(reader);
        var normaliserState = magic == MagicV1 ? [] : Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadDouble()).ToArray();
        return new Checkpoint(fingerprint, step, position, generatorState, defaultGeneratorState, normaliserState);
    }

    static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    static byte[] ReadBytes(BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());
}
