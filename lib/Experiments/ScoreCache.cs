using System.Text;
using System.Text.Json;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// The cached scores of one model under one feature extractor: a JSON file per score (named by sampler, NFE, sample
/// count, seed, the model's step and the start), its generated features [N, D] beside it (.features). Each extractor
/// has its own folder, so the scores of two extractors never mix: the Fashion-MNIST classifier's is the model's scores
/// folder itself (where every cache written before extractors were told apart lives, data/models/scores/ included), any
/// other extractor's a subfolder named after it (e.g. scores/fid-inception-v3-pool3-pytorch-fid/).
/// </summary>
public sealed class ScoreCache
{
    static JsonSerializerOptions Json => ScoreJson.Options;

    /// <summary>The cache of the extractor named <paramref name="extractor"/> in a model's scores folder.</summary>
    /// <param name="scoresFolder">The model's scores folder (<see cref="TrainedModel.ScoresFolder"/>).</param>
    /// <param name="extractor">The feature extractor's name (<see cref="IFeatureExtractor.Name"/>).</param>
    public ScoreCache(string scoresFolder, string extractor)
    {
        if (FolderName(extractor).Length == 0)
            throw new ArgumentException($"Expected a feature extractor's name with a letter or digit, got '{extractor}'.", nameof(extractor));
        Extractor = extractor;
        Folder = extractor == FashionClassifierFeatures.ExtractorName ? scoresFolder : Path.Combine(scoresFolder, FolderName(extractor));
    }

    /// <summary>The feature extractor whose scores these are.</summary>
    public string Extractor { get; }

    /// <summary>Where the scores are (created on the first write).</summary>
    public string Folder { get; }

    /// <summary>The file of a score; its features sit beside it with the extension .features.</summary>
    public string PathOf(SamplerKind sampler, int nfe, int samples, long seed, long step, StartKind start = StartKind.Fitted) =>
        Path.Combine(Folder, $"{sampler}-nfe{nfe}-n{samples}-seed{seed}-step{step}{(start == StartKind.Fitted ? "" : $"-start-{start}")}.json".ToLowerInvariant());

    /// <summary>The file of <paramref name="score"/>.</summary>
    public string PathOf(SampleScore score) => PathOf(score.Sampler, score.Nfe, score.Samples, score.Seed, score.TrainingSteps, score.Start);

    /// <summary>The cached score of these settings, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file holds a score of another extractor.</exception>
    public SampleScore? Find(SamplerKind sampler, int nfe, int samples, long seed, long step, StartKind start = StartKind.Fitted) =>
        ReadOwn(PathOf(sampler, nfe, samples, seed, step, start));

    /// <summary>Every cached score, in the order of their file names.</summary>
    /// <exception cref="InvalidDataException">A file holds a score of another extractor.</exception>
    public IReadOnlyList<SampleScore> All() => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.json").Order().Select(path => ReadOwn(path)!).ToList()
        : [];

    /// <summary>Whether the generated features of <paramref name="score"/> are cached.</summary>
    public bool HasFeatures(SampleScore score) => File.Exists(FeaturesPath(PathOf(score)));

    /// <summary>The generated features [N, D] of a cached score (for paired differences, <see cref="FidBootstrap.Difference"/>).</summary>
    /// <exception cref="FileNotFoundException">The score was not computed yet.</exception>
    public Tensor Features(SampleScore score) => ReadFeatures(PathOf(score));

    /// <summary>Writes a score and its generated features [N, D], the features first, each file atomically.</summary>
    /// <exception cref="ArgumentException">The score is labelled with another extractor.</exception>
    internal void Write(SampleScore score, Tensor features)
    {
        if (score.Extractor != Extractor)
            throw new ArgumentException($"Expected a score of '{Extractor}' for this cache, got one of '{score.Extractor}'.", nameof(score));
        string path = PathOf(score);
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(FeaturesPath(path), stream => WriteFeatures(stream, features));
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, score, Json));
    }

    /// <summary>The score in the file <paramref name="path"/> (a <see cref="PathOf(SampleScore)"/> of any cache), or
    /// null when there is none.</summary>
    public static SampleScore? Read(string path) => File.Exists(path)
        ? JsonSerializer.Deserialize<SampleScore>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds null, expected a score.")
        : null;

    /// <summary>The generated features [N, D] cached beside the score file <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">They are not there.</exception>
    public static Tensor ReadFeatures(string path)
    {
        string features = FeaturesPath(path);
        if (!File.Exists(features)) throw new FileNotFoundException($"Expected the features of this score at {features}; score the model first.", features);
        using var reader = new BinaryReader(File.OpenRead(features));
        long rows = reader.ReadInt64(), columns = reader.ReadInt64();
        var values = new float[rows * columns];
        for (long i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
        return tensor(values, [rows, columns]);
    }

    /// <summary>The subfolder of an extractor's scores: its name in lower case, each run of other characters than
    /// letters and digits one hyphen.</summary>
    public static string FolderName(string extractor)
    {
        var name = new StringBuilder();
        foreach (char c in extractor.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) name.Append(c);
            else if (name.Length > 0 && name[^1] != '-') name.Append('-');
        return name.ToString().TrimEnd('-');
    }

    SampleScore? ReadOwn(string path)
    {
        var score = Read(path);
        if (score is not null && score.Extractor != Extractor)
            throw new InvalidDataException($"{path} holds a score of '{score.Extractor}', expected one of '{Extractor}' in this cache.");
        return score;
    }

    static string FeaturesPath(string path) => Path.ChangeExtension(path, ".features");

    // Rows and columns (int64), then the float32 values row by row.
    static void WriteFeatures(Stream stream, Tensor features)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(features.shape[0]);
        writer.Write(features.shape[1]);
        foreach (float value in features.cpu().to(ScalarType.Float32).data<float>()) writer.Write(value);
    }
}
