using System.Diagnostics;
using System.Text.Json;
using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Runtime;
using SoftDiffusion.Training;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// Scores samples of Fashion-MNIST runs (notebooks 05-07): FID and KID with the committed Fashion-MNIST classifier's
/// penultimate features ("FMNIST-CNN penultimate (not Inception FID)": the FID Inception weights are not available on
/// the machines this workbook is built on), against the 10k test split (embedded, so every machine has the same
/// reference). Scores are cached in the run folder (scores/*.json, keyed by sampler, NFE, sample count, seed and the
/// run's step), so notebooks re-read them instead of sampling again.
/// </summary>
public sealed class FashionScorer : IDisposable
{
    static JsonSerializerOptions Json => ScoreJson.Options;

    readonly FashionClassifierFeatures extractor;
    readonly FidStatistics reference;
    readonly Tensor referenceFeatures;

    /// <summary>What the reference statistics are of.</summary>
    public string ReferenceName { get; }

    /// <summary>The feature extractor's name, printed with every score.</summary>
    public string ExtractorName => extractor.Name;

    /// <summary>Generated images per sampler call.</summary>
    public int BatchSize { get; }

    /// <param name="weightsPath">The classifier weights; default data/fashion-classifier.dat.</param>
    /// <param name="batchSize">Samples generated per sampler call (memory: about 1 MB per sample for the cpu U-Net).</param>
    public FashionScorer(string? weightsPath = null, int batchSize = 250)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Expected a positive batch size.");
        BatchSize = batchSize;
        extractor = FashionClassifierFeatures.Load(weightsPath ?? Path.Combine(ProjectPaths.Data, "fashion-classifier.dat"));
        var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var images = test.Images();
        referenceFeatures = FidEvaluator.Features(extractor, [images], batchSize: 1000);
        reference = FidStatistics.FromFeatures(referenceFeatures);
        ReferenceName = $"Fashion-MNIST test split ({test.Count} images)";
    }

    /// <summary>Bootstrap resamples behind each FID interval.</summary>
    public const int BootstrapResamples = 200;

    /// <summary>The features of the 10k reference images [10000, D] (for paired comparisons).</summary>
    public Tensor ReferenceFeatures => referenceFeatures;

    /// <summary>The cache file of a score in <paramref name="scoresFolder"/>; the generated features sit beside it
    /// with the extension .features.</summary>
    public static string CachePath(string scoresFolder, SamplerKind sampler, int nfe, int samples, long seed, long step, StartKind start = StartKind.Fitted) =>
        Path.Combine(scoresFolder,
            $"{sampler}-nfe{nfe}-n{samples}-seed{seed}-step{step}{(start == StartKind.Fitted ? "" : $"-start-{start}")}.json".ToLowerInvariant());

    /// <summary>FID (with a 95% bootstrap interval over both sample sets) and KID of <paramref name="samples"/> samples of
    /// the model (sample k = the k-th of <see cref="TrainedModel.Generate"/> with <paramref name="seed"/>), read from the
    /// model's score cache when it holds them.</summary>
    /// <param name="model">A trained model (a run's <c>Model</c> or a shipped one).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="nfe">Sampler steps.</param>
    /// <param name="samples">Samples to score (at least 2; more than 128, the feature dimension, for a non-singular covariance).</param>
    /// <param name="seed">Seed of the per-sample generators.</param>
    /// <param name="start">Where x_1 comes from.</param>
    public SampleScore Score(TrainedModel model, SamplerKind sampler, int nfe, int samples, long seed = 0, StartKind start = StartKind.Fitted)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Expected at least 2 samples to score.");
        if (nfe < 1) throw new ArgumentOutOfRangeException(nameof(nfe), nfe, "Expected at least 1 sampler step.");
        string cache = CachePath(model.ScoresFolder, sampler, nfe, samples, seed, model.Step, start);
        if (ReadCached(cache) is { } cached) return cached;
        var clock = Stopwatch.StartNew();
        var generated = new List<Tensor>();
        try
        {
            var samplerObject = Samplers.Create(sampler);
            for (int first = 0; first < samples; first += BatchSize)
            {
                using var result = model.Generate(samplerObject, Math.Min(BatchSize, samples - first), nfe, seed, first, start: start);
                generated.Add(result.X.cpu().DetachFromDisposeScope());
            }
            double seconds = clock.Elapsed.TotalSeconds;
            using var features = FidEvaluator.Features(extractor, generated, batchSize: 500);
            var evaluation = Evaluator(samples).EvaluateFeatures(features);
            var interval = FidBootstrap.Interval(features, referenceFeatures, BootstrapResamples);
            var score = new SampleScore(model.Recipe.Name, model.Step, sampler, nfe, samples, seed, evaluation.Fid,
                evaluation.KidMean, evaluation.KidStandardDeviation, evaluation.ExtractorName, ReferenceName,
                evaluation.SingularCovariance, seconds, interval.Low, interval.High, start);
            WriteCached(cache, score, features);
            return score;
        }
        finally
        {
            foreach (var t in generated) t.Dispose();
        }
    }

    /// <summary>The generated features [N, D] of a cached score (for paired differences, <see cref="FidBootstrap.Difference"/>).</summary>
    /// <exception cref="FileNotFoundException">The score was not computed yet (call <see cref="Score"/> first).</exception>
    public static Tensor CachedFeatures(string scoresFolder, SampleScore score)
    {
        string path = FeaturesPath(CachePath(scoresFolder, score.Sampler, score.Nfe, score.Samples, score.Seed, score.TrainingSteps, score.Start));
        if (!File.Exists(path)) throw new FileNotFoundException($"Expected the features of this score at {path}; score the run first.", path);
        using var reader = new BinaryReader(File.OpenRead(path));
        long rows = reader.ReadInt64(), columns = reader.ReadInt64();
        var values = new float[rows * columns];
        for (long i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
        return tensor(values, [rows, columns]);
    }

    /// <summary>Writes a score and its generated features [N, D] to the cache file <paramref name="cache"/> (a
    /// <see cref="CachePath"/>), the features first, each file atomically.</summary>
    internal static void WriteCached(string cache, SampleScore score, Tensor features)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        AtomicFile.Write(FeaturesPath(cache), stream => WriteFeatures(stream, features));
        AtomicFile.Write(cache, stream => JsonSerializer.Serialize(stream, score, Json));
    }

    // Rows and columns (int64), then the float32 values row by row.
    static void WriteFeatures(Stream stream, Tensor features)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(features.shape[0]);
        writer.Write(features.shape[1]);
        foreach (float value in features.cpu().to(ScalarType.Float32).data<float>()) writer.Write(value);
    }

    /// <summary>The score cached at <paramref name="cache"/> (a <see cref="CachePath"/>), or null when there is none.</summary>
    public static SampleScore? ReadCached(string cache) => File.Exists(cache)
        ? JsonSerializer.Deserialize<SampleScore>(File.ReadAllText(cache), Json) ?? throw new InvalidDataException($"{cache} holds null, expected a score.")
        : null;

    static string FeaturesPath(string cache) => Path.ChangeExtension(cache, ".features");

    /// <summary>FID and KID of given images [N, 1, 28, 28] in [-1, 1] against the reference (e.g. training images, a floor).</summary>
    public FidEvaluation Evaluate(IReadOnlyList<Tensor> imageBatches) => Evaluator(imageBatches.Sum(b => b.shape[0])).Evaluate(imageBatches);

    // KID subsets of at most 1,000 of the scored samples.
    FidEvaluator Evaluator(long count) => new(extractor, reference, new FidEvaluatorOptions(BatchSize: 500, ComputeKid: true,
        Kid: new KernelInceptionDistanceOptions(SubsetCount: 100, SubsetSize: (int)Math.Min(1000, count))), referenceFeatures);

    public void Dispose()
    {
        extractor.Dispose();
        reference.Dispose();
        referenceFeatures.Dispose();
    }
}
