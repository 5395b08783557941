using System.Diagnostics;
using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// Scores samples of trained models (notebooks 05-07, tools/Score): FID with a 95% bootstrap interval and KID under a
/// feature extractor, against the Fashion-MNIST 10k test split (embedded, so every machine has the same reference).
/// The extractor is any <see cref="IFeatureExtractor"/>; by default <see cref="DefaultFeatureExtractor"/>'s: the FID
/// Inception-v3 when its weights are there, else the committed classifier ("FMNIST-CNN penultimate (not Inception
/// FID)"). Every score is labelled with the extractor's name, and cached per model and extractor
/// (<see cref="ScoreCache"/>), so notebooks re-read scores instead of sampling again.
/// </summary>
public sealed class SampleScorer : IDisposable
{
    // Images per feature-extractor pass (the Inception network's activations at 299 x 299 are large).
    const int FeatureBatchSize = 50;

    readonly IFeatureExtractor extractor;
    readonly bool ownsExtractor;
    readonly FidStatistics reference;
    readonly Tensor referenceFeatures;

    /// <summary>What the reference statistics are of.</summary>
    public string ReferenceName { get; }

    /// <summary>The feature extractor's name, printed with every score.</summary>
    public string ExtractorName => extractor.Name;

    /// <summary>Generated images per sampler call.</summary>
    public int BatchSize { get; }

    /// <param name="extractor">The features to score with; null: <see cref="DefaultFeatureExtractor.Load()"/>, which the
    /// scorer disposes (a given extractor stays the caller's).</param>
    /// <param name="batchSize">Samples generated per sampler call (memory: about 1 MB per sample for the cpu U-Net).</param>
    public SampleScorer(IFeatureExtractor? extractor = null, int batchSize = 250)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Expected a positive batch size.");
        BatchSize = batchSize;
        ownsExtractor = extractor is null;
        this.extractor = extractor ?? DefaultFeatureExtractor.Load();
        var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var images = test.Images();
        referenceFeatures = FidEvaluator.Features(this.extractor, [images], FeatureBatchSize);
        reference = FidStatistics.FromFeatures(referenceFeatures);
        ReferenceName = $"Fashion-MNIST test split ({test.Count} images)";
    }

    /// <summary>Bootstrap resamples behind each FID interval.</summary>
    public const int BootstrapResamples = 200;

    /// <summary>The features of the 10k reference images [10000, D] (for paired comparisons).</summary>
    public Tensor ReferenceFeatures => referenceFeatures;

    /// <summary>This scorer's cache in a model's scores folder.</summary>
    public ScoreCache Cache(string scoresFolder) => new(scoresFolder, ExtractorName);

    /// <summary>FID (with a 95% bootstrap interval over both sample sets) and KID of <paramref name="samples"/> samples of
    /// the model (sample k = the k-th of <see cref="TrainedModel.Generate"/> with <paramref name="seed"/>), read from the
    /// model's cache of this extractor when it holds them.</summary>
    /// <param name="model">A trained model (a run's <c>Model</c> or a shipped one).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="nfe">Sampler steps.</param>
    /// <param name="samples">Samples to score (at least 2; more than the feature dimension for a non-singular covariance).</param>
    /// <param name="seed">Seed of the per-sample generators.</param>
    /// <param name="start">Where x_1 comes from.</param>
    public SampleScore Score(TrainedModel model, SamplerKind sampler, int nfe, int samples, long seed = 0, StartKind start = StartKind.Fitted)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Expected at least 2 samples to score.");
        if (nfe < 1) throw new ArgumentOutOfRangeException(nameof(nfe), nfe, "Expected at least 1 sampler step.");
        var cache = Cache(model.ScoresFolder);
        if (cache.Find(sampler, nfe, samples, seed, model.Step, start) is { } cached) return cached;
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
            using var features = FidEvaluator.Features(extractor, generated, FeatureBatchSize);
            var evaluation = Evaluator(samples).EvaluateFeatures(features);
            var interval = FidBootstrap.Interval(features, referenceFeatures, BootstrapResamples);
            var score = new SampleScore(model.Recipe.Name, model.Step, sampler, nfe, samples, seed, evaluation.Fid,
                evaluation.KidMean, evaluation.KidStandardDeviation, evaluation.ExtractorName, ReferenceName,
                evaluation.SingularCovariance, seconds, interval.Low, interval.High, start);
            cache.Write(score, features);
            return score;
        }
        finally
        {
            foreach (var t in generated) t.Dispose();
        }
    }

    /// <summary>FID and KID of given images [N, C, H, W] in [-1, 1] against the reference (e.g. training images, a floor).</summary>
    public FidEvaluation Evaluate(IReadOnlyList<Tensor> imageBatches) => Evaluator(imageBatches.Sum(b => b.shape[0])).Evaluate(imageBatches);

    // KID subsets of at most 1,000 of the scored samples.
    FidEvaluator Evaluator(long count) => new(extractor, reference, new FidEvaluatorOptions(BatchSize: FeatureBatchSize, ComputeKid: true,
        Kid: new KernelInceptionDistanceOptions(SubsetCount: 100, SubsetSize: (int)Math.Min(1000, count))), referenceFeatures);

    /// <summary>Frees the reference statistics, and the extractor when the scorer chose it.</summary>
    public void Dispose()
    {
        if (ownsExtractor) (extractor as IDisposable)?.Dispose();
        reference.Dispose();
        referenceFeatures.Dispose();
    }
}
