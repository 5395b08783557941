using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Training;
using SoftDiffusion.Workbook;
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
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

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

    /// <summary>The cache file of a score in <paramref name="run"/>'s folder.</summary>
    public static string CachePath(RunDirectory run, SamplerKind sampler, int nfe, int samples, long seed, long step) =>
        Path.Combine(run.Root, "scores", $"{sampler}-nfe{nfe}-n{samples}-seed{seed}-step{step}.json".ToLowerInvariant());

    /// <summary>FID and KID of <paramref name="samples"/> samples of the run's EMA network (sample k = the k-th of
    /// <see cref="ProfileTraining.Generate"/> with <paramref name="seed"/>), read from the cache when it holds them.</summary>
    /// <param name="run">A trained run.</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="nfe">Sampler steps.</param>
    /// <param name="samples">Samples to score (at least 2; more than 128, the feature dimension, for a non-singular covariance).</param>
    /// <param name="seed">Seed of the per-sample generators.</param>
    public SampleScore Score(ProfileTraining run, SamplerKind sampler, int nfe, int samples, long seed = 0)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Expected at least 2 samples to score.");
        if (nfe < 1) throw new ArgumentOutOfRangeException(nameof(nfe), nfe, "Expected at least 1 sampler step.");
        string cache = CachePath(run.Run, sampler, nfe, samples, seed, run.Trainer.Step);
        if (File.Exists(cache))
            return JsonSerializer.Deserialize<SampleScore>(File.ReadAllText(cache), Json)
                ?? throw new InvalidDataException($"{cache} holds null, expected a score.");
        var clock = Stopwatch.StartNew();
        var generated = new List<Tensor>();
        try
        {
            var samplerObject = Samplers.Create(sampler);
            for (int first = 0; first < samples; first += BatchSize)
            {
                using var result = run.Generate(samplerObject, Math.Min(BatchSize, samples - first), nfe, seed, first);
                generated.Add(result.X.cpu().DetachFromDisposeScope());
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var evaluation = Evaluate(generated);
            var score = new SampleScore(run.Recipe.Name, run.Trainer.Step, sampler, nfe, samples, seed, evaluation.Fid,
                evaluation.KidMean, evaluation.KidStandardDeviation, evaluation.ExtractorName, ReferenceName,
                evaluation.SingularCovariance, seconds);
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            AtomicFile.Write(cache, stream => JsonSerializer.Serialize(stream, score, Json));
            return score;
        }
        finally
        {
            foreach (var t in generated) t.Dispose();
        }
    }

    /// <summary>FID and KID of given images [N, 1, 28, 28] in [-1, 1] against the reference (e.g. training images, a floor).</summary>
    public FidEvaluation Evaluate(IReadOnlyList<Tensor> imageBatches)
    {
        long count = imageBatches.Sum(b => b.shape[0]);
        var options = new FidEvaluatorOptions(BatchSize: 500, ComputeKid: true,
            Kid: new KernelInceptionDistanceOptions(SubsetCount: 100, SubsetSize: (int)Math.Min(1000, count)));
        return new FidEvaluator(extractor, reference, options, referenceFeatures).Evaluate(imageBatches);
    }

    public void Dispose()
    {
        extractor.Dispose();
        reference.Dispose();
        referenceFeatures.Dispose();
    }
}
