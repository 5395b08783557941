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
/// so a truncated or damaged file is refused with a message, never half-loaded. Format v2 can hold a Gaussian-mixture
/// p_1 (the recipes' p_1 for blur since then); files of format v1 (one Gaussian) still load.
/// </summary>
public static class ShippedModel
{
    const string Magic = "SoftDiffusion model v2";
    static readonly string[] Readable = ["SoftDiffusion model v1", Magic];
    const int ChecksumBytes = 32;

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    // What the file says besides the weights.
    sealed record Header(TrainingRecipe Recipe, UNetConfig Network, long Step, string Data, long[] ImageShape, double[]? BlurLevels,
        StartParameters? Start, MixtureParameters? Mixture = null);

    // One Gaussian over the surviving DCT coefficients (DctFullGaussianStart).
    sealed record StartParameters(long[] Indices, double[] Mean, double[] Cholesky, double Sigma1);

    // A mixture of K Gaussians over them (DctGaussianMixtureStart): weights [K], means [K, n], factors [K, n, n], flat.
    sealed record MixtureParameters(long[] Indices, double[] Weights, double[] Means, double[] Cholesky, double Sigma1);

    /// <summary>Writes <paramref name="model"/> (atomically) to <paramref name="path"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="model">A trained model whose C_t is blur (with its levels), masking or the identity.</param>
    /// <param name="imageShape">[C, H, W] of the images it was trained on.</param>
    /// <param name="start">The p_1 the file holds: <see cref="DctGaussianMixtureStart"/> or <see cref="DctFullGaussianStart"/>
    /// (blur), or the isotropic Gaussian the recipe builds (stored as nothing); null: the model's own.</param>
    public static void Save(string path, TrainedModel model, long[] imageShape, IStartDistribution? start = null)
    {
        var blur = model.Corruption as BlurCorruption;
        start ??= model.Start;
        var header = new Header(model.Recipe, model.Network.Config, model.Step, model.DataLabel, imageShape, blur?.Schedule.Levels.ToArray(),
            start is DctFullGaussianStart gaussian ? new StartParameters(gaussian.Indices.data<long>().ToArray(), gaussian.Mean.data<double>().ToArray(),
                gaussian.CholeskyFactor.contiguous().data<double>().ToArray(), gaussian.Sigma1) : null,
            start is DctGaussianMixtureStart mixture ? new MixtureParameters(mixture.Indices.data<long>().ToArray(), mixture.Weights.data<double>().ToArray(),
                mixture.Means.contiguous().data<double>().ToArray(), mixture.CholeskyFactors.contiguous().data<double>().ToArray(), mixture.Sigma1) : null);
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

    /// <summary>The file in a model's scores folder that holds the SHA-256 of the model file its scores were measured on.</summary>
    public const string ModelChecksumFile = "model.sha256";

    /// <summary>Reads a model written by <see cref="Save"/>, and claims its scores folder: a folder whose scores were
    /// measured on another file of that name (another SHA-256 in <see cref="ModelChecksumFile"/>, or none) is renamed
    /// aside, kept but never read for this file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="scoresFolder">Where the model's scores are cached (a folder of this model's own).</param>
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
        if (!Readable.Contains(magic))
            throw new InvalidDataException($"'{path}' is not a trained model of a format this version reads: expected header '{string.Join("' or '", Readable)}', found '{magic}'.");
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString(), Json)
            ?? throw new InvalidDataException($"'{path}' has an empty header.");
        var network = new UNet(header.Network);
        try
        {
            LoadWeights(reader, network, path);
            network.to(device ?? CPU);
            Claim(scoresFolder, Convert.ToHexStringLower(bytes.AsSpan(bytes.Length - ChecksumBytes)));   // a file that loads
            return Assemble(header, network, scoresFolder, trainingImages);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Makes <paramref name="folder"/> the score cache of the model file at <paramref name="path"/> (as
    /// <see cref="Load"/> does), for code that reads a model's cached scores without loading it.</summary>
    /// <exception cref="InvalidDataException">The file is too short to end with a checksum.</exception>
    public static void ClaimScoresFolder(string path, string folder)
    {
        using var file = File.OpenRead(path);
        if (file.Length <= ChecksumBytes)
            throw new InvalidDataException($"'{path}' is truncated: {file.Length} bytes, less than a model file's header and checksum.");
        var checksum = new byte[ChecksumBytes];
        file.Seek(-ChecksumBytes, SeekOrigin.End);
        file.ReadExactly(checksum);
        Claim(folder, Convert.ToHexStringLower(checksum));
    }

    // Scores cached for another model file of the same name (retrained, or given another p_1) must not be read as this
    // one's: such a folder is moved to <folder>-of-<its checksum's first 12 digits> (or -of-an-unrecorded-file).
    static void Claim(string folder, string checksum)
    {
        string marker = Path.Combine(folder, ModelChecksumFile);
        string? recorded = File.Exists(marker) ? File.ReadAllText(marker).Trim() : null;
        if (recorded == checksum) return;
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            string tag = recorded is null ? "an-unrecorded-file" : recorded[..Math.Min(12, recorded.Length)];
            string aside = $"{folder}-of-{tag}";
            for (int k = 2; Directory.Exists(aside); k++) aside = $"{folder}-of-{tag}-{k}";
            Directory.Move(folder, aside);
            Console.Error.WriteLine($"Scores in {folder} were measured on another model file than {checksum[..12]}...; moved to {aside}.");
        }
        Directory.CreateDirectory(folder);
        AtomicFile.Write(marker, stream => stream.Write(System.Text.Encoding.ASCII.GetBytes(checksum + "\n")));
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
        if (header.Mixture is { } m)
        {
            long k = m.Weights.Length, n = m.Indices.Length;
            using var indices = tensor(m.Indices);
            using var weights = tensor(m.Weights);
            using var means = tensor(m.Means, [k, n]);
            using var cholesky = tensor(m.Cholesky, [k, n, n]);
            start = DctGaussianMixtureStart.FromParameters(shape, indices, weights, means, cholesky, m.Sigma1);
        }
        else if (header.Start is { } p)
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
