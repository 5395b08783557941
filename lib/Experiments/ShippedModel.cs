using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json;
using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using SoftDiffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The compact file of a trained model that ships with the workbook (data/models/*.sdm): the recipe, the network
/// configuration, the training step, C_t as trained (the selected blur levels) and the fitted p_1, then the EMA
/// weights in float16, then a SHA-256 of everything before it. Loading checks the checksum before anything else,
/// so a truncated or damaged file is refused with a message, never half-loaded.
/// </summary>
public static class ShippedModel
{
    const string Magic = "SoftDiffusion model v1";
    const int ChecksumBytes = 32;

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    // What the file says besides the weights.
    sealed record Header(TrainingRecipe Recipe, UNetConfig Network, long Step, string Data, long[] ImageShape, double[]? BlurLevels, StartParameters? Start);

    sealed record StartParameters(long[] Indices, double[] Mean, double[] Cholesky, double Sigma1);

    /// <summary>Writes <paramref name="model"/> (atomically) to <paramref name="path"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="model">A trained model whose C_t is blur (with its levels), masking or the identity, and whose p_1 is
    /// <see cref="DctFullGaussianStart"/> (blur) or the isotropic Gaussian the recipe builds.</param>
    /// <param name="imageShape">[C, H, W] of the images it was trained on.</param>
    public static void Save(string path, TrainedModel model, long[] imageShape)
    {
        var blur = model.Corruption as BlurCorruption;
        var start = model.Start as DctFullGaussianStart;
        var header = new Header(model.Recipe, model.Network.Config, model.Step, model.DataLabel, imageShape,
            blur?.Schedule.Levels.ToArray(), start is null ? null : new StartParameters(start.Indices.data<long>().ToArray(),
                start.Mean.data<double>().ToArray(), start.CholeskyFactor.contiguous().data<double>().ToArray(), start.Sigma1));
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(header, Json));
            var state = model.Network.state_dict();
            writer.Write(state.Count);
            foreach (var (name, value) in state) WriteTensor(writer, name, value);
        }
        byte[] bytes = payload.ToArray();
        AtomicFile.Write(path, stream => { stream.Write(bytes); stream.Write(SHA256.HashData(bytes)); });
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="scoresFolder">Where the model's scores are cached.</param>
    /// <param name="device">Where to put the network; default the CPU.</param>
    /// <param name="trainingImages">Training images [N, C, H, W] for <see cref="StartKind.TrainingImages"/> (made on first
    /// use; a model file holds none); null: the model samples from its fitted p_1 only.</param>
    /// <exception cref="FileNotFoundException">No such file (the message says where shipped models live).</exception>
    /// <exception cref="InvalidDataException">Not a model file, truncated or damaged (checksum), or of a network this
    /// version cannot build; the message names which.</exception>
    public static TrainedModel Load(string path, string scoresFolder, Device? device = null, Func<Tensor>? trainingImages = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Expected a trained model file at {path} (data/models/ in the repository).", path);
        byte[] bytes = File.ReadAllBytes(path);
        var body = VerifiedBody(bytes, path);
        using var reader = new BinaryReader(new MemoryStream(body.ToArray()), System.Text.Encoding.UTF8);
        string magic = reader.ReadString();
        if (magic != Magic) throw new InvalidDataException($"'{path}' is not a trained model: expected header '{Magic}', found '{magic}'.");
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString(), Json)
            ?? throw new InvalidDataException($"'{path}' has an empty header.");
        var network = new UNet(header.Network);
        try
        {
            LoadWeights(reader, network, path);
            network.to(device ?? CPU);
            return Assemble(header, network, scoresFolder, trainingImages);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // The bytes before the checksum, after checking that the checksum matches them.
    static ReadOnlySpan<byte> VerifiedBody(byte[] bytes, string path)
    {
        if (bytes.Length <= ChecksumBytes)
            throw new InvalidDataException($"'{path}' is truncated: {bytes.Length} bytes, less than a model file's header and checksum.");
        var body = bytes.AsSpan(0, bytes.Length - ChecksumBytes);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumBytes)))
            throw new InvalidDataException($"'{path}' is damaged or truncated: its SHA-256 checksum does not match its contents ({bytes.Length} bytes).");
        return body;
    }

    static TrainedModel Assemble(Header header, UNet network, string scoresFolder, Func<Tensor>? trainingImages)
    {
        var noise = header.Recipe.CreateNoise();
        var shape = header.ImageShape;
        ICorruption corruption = header.Recipe.Corruption switch
        {
            CorruptionKind.Blur => new BlurCorruption(new BlurSchedule(header.BlurLevels
                ?? throw new InvalidDataException("A blur model file must carry its blur levels."))),
            CorruptionKind.Masking => new MaskCorruption(shape[1], shape[2]),
            _ => new IdentityCorruption(),
        };
        IStartDistribution start;
        if (header.Start is { } p)
        {
            using var indices = tensor(p.Indices);
            using var mean = tensor(p.Mean);
            using var cholesky = tensor(p.Cholesky, [p.Mean.Length, p.Mean.Length]);
            start = DctFullGaussianStart.FromParameters(shape, indices, mean, cholesky, p.Sigma1);
        }
        else start = new IsotropicGaussianStart(shape[0], shape[1], shape[2], noise);
        var experiment = new Experiment(header.Recipe, corruption, noise, start);
        return new TrainedModel(experiment, network, header.Step, header.Data, scoresFolder, trainingImages, network, experiment);
    }

    // name, rank, shape, then float16 values.
    static void WriteTensor(BinaryWriter writer, string name, Tensor value)
    {
        writer.Write(name);
        writer.Write(value.dim());
        foreach (long size in value.shape) writer.Write(size);
        using var half = value.detach().to(ScalarType.Float16, CPU).contiguous();
        foreach (var h in half.data<Half>()) writer.Write(h);
    }

    static void LoadWeights(BinaryReader reader, UNet network, string path)
    {
        var state = network.state_dict();
        int count = reader.ReadInt32();
        if (count != state.Count)
            throw new InvalidDataException($"'{path}' holds {count} tensors, this version's network of that configuration has {state.Count}.");
        using var noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            var shape = Enumerable.Range(0, (int)reader.ReadInt64()).Select(_ => reader.ReadInt64()).ToArray();
            if (!state.TryGetValue(name, out var target) || !target.shape.SequenceEqual(shape))
                throw new InvalidDataException($"'{path}' holds '{name}' [{string.Join(", ", shape)}], which this version's network does not have in that shape.");
            var values = new Half[shape.Aggregate(1L, (a, b) => a * b)];
            for (long k = 0; k < values.Length; k++) values[k] = reader.ReadHalf();
            using var loaded = tensor(values, shape);
            target.copy_(loaded.to(target.dtype));
        }
    }
}
