using System.Security.Cryptography;
using SoftDiffusion.Losses;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Training;

/// <summary>
/// Everything needed to continue a run exactly (docs/method.md §11.3, runs): the step, the data position, the trainer's
/// generator state and torch's default CPU generator state (dropout) in this record, and, in the file beside them,
/// the network, its EMA copy and the optimiser state (Adam's moments and step counts). The file also carries a
/// fingerprint of the configuration, checked before any weight is read, and ends with the SHA-256 of everything
/// before it, checked before anything is read, so a truncated or corrupted file is refused with a clear message
/// instead of loading damaged weights. Files are written atomically.
/// </summary>
/// <remarks>File format v3: the header (magic string, fingerprint, step, data position, generator states, loss
/// normaliser state), the network, the EMA network, the optimiser state (TorchSharp's binary formats), then 32 bytes
/// of SHA-256 over all preceding bytes. v2 files (no checksum) and v1 files (no checksum, no normaliser state) are
/// still read; damage in them is reported when it breaks the parse, but cannot be detected otherwise.</remarks>
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
    const string Magic = "SoftDiffusion checkpoint v3";
    const string MagicV2 = "SoftDiffusion checkpoint v2";   // v2: no checksum
    const string MagicV1 = "SoftDiffusion checkpoint v1";   // v1: no checksum, no loss normaliser state
    const int DigestLength = ChecksumWriteStream.DigestLength;

    /// <summary>Writes the record and the state of <paramref name="network"/>, <paramref name="ema"/> and
    /// <paramref name="optimizer"/> to <paramref name="path"/>; a failure leaves the previous file intact.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="network">phi_theta.</param>
    /// <param name="ema">The EMA copy of phi_theta.</param>
    /// <param name="optimizer">The optimiser whose state (Adam's moments and step counts) is saved.</param>
    /// <param name="keepPreviousAs">When set, the file <paramref name="path"/> held before becomes this file in the
    /// same atomic replacement (e.g. checkpoints/previous.ckpt), see <see cref="AtomicFile.Write"/>.</param>
    public void Write(string path, nn.Module network, nn.Module ema, OptimizerHelper optimizer, string? keepPreviousAs = null) =>
        AtomicFile.Write(path, stream => WriteTo(stream, network, ema, optimizer), keepPreviousAs);

    /// <summary>Writes the file's content (format v3, checksum last) to <paramref name="stream"/>, front to back.</summary>
    public void WriteTo(Stream stream, nn.Module network, nn.Module ema, OptimizerHelper optimizer)
    {
        using var checksummed = new ChecksumWriteStream(stream);
        using (var writer = new BinaryWriter(checksummed, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WriteHeader(writer);
            network.save(writer);
            ema.save(writer);
            optimizer.save_state_dict(writer);
        }
        stream.Write(checksummed.Digest());
    }

    /// <summary>Reads a checkpoint into <paramref name="network"/>, <paramref name="ema"/> and
    /// <paramref name="optimizer"/>, after checking its checksum and its fingerprint against <paramref name="expectedFingerprint"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or it is truncated or corrupted (its
    /// checksum does not match); the message names the file and what was found. Nothing is loaded then.</exception>
    /// <exception cref="ArgumentException">The checkpoint was written for another configuration; the message names
    /// every difference, e.g. "checkpoint base channels 64, this model 32". Nothing is loaded then.</exception>
    public static Checkpoint Read(string path, IReadOnlyList<(string Name, string Value)> expectedFingerprint,
        nn.Module network, nn.Module ema, OptimizerHelper optimizer)
    {
        using var stream = OpenForReading(path);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var (checkpoint, version) = ReadVerifiedHeader(reader, path);
        checkpoint.CheckFingerprint(expectedFingerprint, path);
        ReadModules(reader, path, version, network, ema, optimizer);
        return checkpoint;
    }

    /// <summary>Reads only the record of a checkpoint (its step, position, fingerprint...), after the same checks as
    /// <see cref="Read"/> except the fingerprint: e.g. to see which step a file holds.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or it is truncated or corrupted.</exception>
    public static Checkpoint ReadRecord(string path)
    {
        using var stream = OpenForReading(path);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        return ReadVerifiedHeader(reader, path).Checkpoint;
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

    static FileStream OpenForReading(string path) =>
        File.Exists(path) ? File.OpenRead(path) : throw new FileNotFoundException($"Expected a checkpoint file at '{path}', found none.", path);

    // The magic string decides the format; a v3 file's checksum is verified over the whole file before its header is
    // parsed, so no field of a damaged file is trusted.
    static (Checkpoint Checkpoint, int Version) ReadVerifiedHeader(BinaryReader reader, string path)
    {
        int version = ReadVersion(reader, path);
        if (version == 3) VerifyChecksum(reader.BaseStream, path);
        try
        {
            return (ReadHeader(reader, version), version);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' (format v{version}, without a checksum) is truncated or damaged: " +
                $"its header could not be read ({e.Message}).", e);
        }
    }

    static int ReadVersion(BinaryReader reader, string path)
    {
        string magic;
        try { magic = reader.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a checkpoint or is truncated: expected the header '{Magic}', " +
                $"but the file ({reader.BaseStream.Length} bytes) ends or is garbled within it.", e);
        }
        return magic switch
        {
            Magic => 3,
            MagicV2 => 2,
            MagicV1 => 1,
            _ => throw new InvalidDataException($"'{path}' is not a checkpoint: expected the header '{Magic}' (or v2, v1), found '{Shorten(magic)}'."),
        };
    }

    static void VerifyChecksum(Stream stream, string path)
    {
        long length = stream.Length, afterMagic = stream.Position;
        if (length < afterMagic + DigestLength)
            throw Damaged(path, length, $"it is shorter than its header and {DigestLength}-byte checksum");
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long remaining = length - DigestLength; remaining > 0;)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0) throw Damaged(path, length, "it became shorter while it was being read");
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }
        var stored = new byte[DigestLength];
        stream.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw Damaged(path, length, $"the SHA-256 of its first {length - DigestLength:N0} bytes does not match the checksum stored in its last {DigestLength}");
        stream.Position = afterMagic;
    }

    static InvalidDataException Damaged(string path, long length, string why) =>
        new($"Checkpoint '{path}' is damaged (truncated or corrupted after it was written; {length:N0} bytes now): {why}. " +
            "Nothing was loaded from it.");

    static void ReadModules(BinaryReader reader, string path, int version, nn.Module network, nn.Module ema, OptimizerHelper optimizer)
    {
        try
        {
            network.load(reader, strict: true);
            ema.load(reader, strict: true);
            optimizer.load_state_dict(reader);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' (format v{version}{(version < 3 ? ", without a checksum" : "")}) " +
                $"is truncated or damaged: its network, EMA or optimiser state could not be read ({e.Message}).", e);
        }
        long left = reader.BaseStream.Length - reader.BaseStream.Position - (version == 3 ? DigestLength : 0);
        if (left != 0)
            throw new InvalidDataException($"Checkpoint '{path}' (format v{version}) has {left} bytes after its optimiser state, expected " +
                (version == 3 ? $"only the {DigestLength}-byte checksum." : "none."));
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

    // Everything after the magic string, which ReadVersion has consumed.
    static Checkpoint ReadHeader(BinaryReader reader, int version)
    {
        var fingerprint = Enumerable.Range(0, ReadCount(reader)).Select(_ => (reader.ReadString(), reader.ReadString())).ToList();
        long step = reader.ReadInt64();
        var position = new DataPosition(reader.ReadInt64(), reader.ReadInt64());
        byte[] generatorState = ReadBytes(reader), defaultGeneratorState = ReadBytes(reader);
        var normaliserState = version == 1 ? [] : Enumerable.Range(0, ReadCount(reader)).Select(_ => reader.ReadDouble()).ToArray();
        return new Checkpoint(fingerprint, step, position, generatorState, defaultGeneratorState, normaliserState);
    }

    static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    static byte[] ReadBytes(BinaryReader reader)
    {
        int count = ReadCount(reader);
        var bytes = reader.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException($"expected {count} bytes of generator state, found {bytes.Length}");
    }

    // A count read from the file, refused when negative or larger than the file (garbage in a damaged v1/v2 file).
    static int ReadCount(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        return count >= 0 && count <= reader.BaseStream.Length
            ? count : throw new FormatException($"found a count of {count}, expected 0 .. {reader.BaseStream.Length}");
    }

    static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
