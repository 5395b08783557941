using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// FID of generated images (docs/method.md §7.1): streams them through an <see cref="IFeatureExtractor"/> in batches,
/// accumulates their feature statistics and returns the Frechet distance to the reference statistics, optionally
/// with the Kernel Inception Distance to reference features.
/// </summary>
public sealed class FidEvaluator
{
    readonly IFeatureExtractor extractor;
    readonly FidStatistics reference;
    readonly Tensor? referenceFeatures;
    readonly FidEvaluatorOptions options;

    /// <param name="extractor">The feature extractor the reference statistics were computed with.</param>
    /// <param name="reference">Reference statistics (e.g. of the training set; see <see cref="Statistics"/>).</param>
    /// <param name="options">Batch size and KID (defaults when null).</param>
    /// <param name="referenceFeatures">Reference features [N_ref, D]; required when KID is requested. Not disposed here.</param>
    public FidEvaluator(IFeatureExtractor extractor, FidStatistics reference, FidEvaluatorOptions? options = null, Tensor? referenceFeatures = null)
    {
        this.options = options ?? new FidEvaluatorOptions();
        if (extractor.Dimension != reference.Dimension)
            throw new ArgumentException(
                $"The extractor '{extractor.Name}' gives {extractor.Dimension}-d features but the reference statistics are {reference.Dimension}-d.");
        if (this.options.ComputeKid && (referenceFeatures is null || referenceFeatures.dim() != 2 || referenceFeatures.shape[1] != extractor.Dimension))
            throw new ArgumentException($"KID needs reference features [N, {extractor.Dimension}]; got {(referenceFeatures is null ? "none" : $"[{string.Join(", ", referenceFeatures.shape)}]")}.");
        this.extractor = extractor;
        this.reference = reference;
        this.referenceFeatures = referenceFeatures;
    }

    /// <summary>Scores generated images against the reference.</summary>
    /// <param name="generatedBatches">Image batches [B, C, H, W] in [-1, 1]; tensors the enumerator creates are disposed after use.</param>
    public FidEvaluation Evaluate(IEnumerable<Tensor> generatedBatches)
    {
        using var features = Features(extractor, generatedBatches, options.BatchSize);
        return EvaluateFeatures(features);
    }

    /// <summary>Scores generated images given by their features [N, D] (from this evaluator's extractor).</summary>
    public FidEvaluation EvaluateFeatures(Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != extractor.Dimension)
            throw new ArgumentException($"Expected features [N, {extractor.Dimension}] of '{extractor.Name}', got [{string.Join(", ", features.shape)}].", nameof(features));
        using var generated = new FidStatistics(extractor.Dimension);
        generated.Add(features);
        var frechet = FrechetDistance.Compute(generated, reference);
        var kid = options.ComputeKid ? Kid(features) : null;
        return new FidEvaluation(frechet.Value, kid?.Mean, kid?.StandardDeviation, generated.Count, reference.Count,
            extractor.Name, frechet.SingularCovariance, frechet);
    }

    KernelInceptionDistanceResult Kid(Tensor generatedFeatures)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)options.KidSeed));
        return KernelInceptionDistance.Compute(generatedFeatures.cpu(), referenceFeatures!.cpu(), options.Kid ?? new KernelInceptionDistanceOptions(), generator);
    }

    /// <summary>Feature statistics of a stream of images (e.g. the reference set), on the CPU.</summary>
    /// <param name="extractor">The feature extractor.</param>
    /// <param name="imageBatches">Image batches [B, C, H, W] in [-1, 1]; tensors the enumerator creates are disposed after use.</param>
    /// <param name="batchSize">Images per extractor call.</param>
    public static FidStatistics Statistics(IFeatureExtractor extractor, IEnumerable<Tensor> imageBatches, int batchSize = 50)
    {
        var statistics = new FidStatistics(extractor.Dimension);
        ForEachFeatureBatch(extractor, imageBatches, batchSize, statistics.Add);
        return statistics;
    }

    /// <summary>All features of a stream of images [N, D], float32, on the CPU (the reference side of KID).</summary>
    public static Tensor Features(IFeatureExtractor extractor, IEnumerable<Tensor> imageBatches, int batchSize = 50)
    {
        var parts = new List<Tensor>();
        try
        {
            ForEachFeatureBatch(extractor, imageBatches, batchSize, features => parts.Add(features.cpu().DetachFromDisposeScope()));
            return cat(parts, 0);
        }
        finally
        {
            foreach (var t in parts) t.Dispose();
        }
    }

    /// <summary>
    /// Runs the extractor on chunks of at most <paramref name="batchSize"/> images of each batch, one dispose scope per
    /// batch: tensors the enumerator creates while producing a batch are disposed with it; tensors it merely yields are not.
    /// </summary>
    static void ForEachFeatureBatch(IFeatureExtractor extractor, IEnumerable<Tensor> imageBatches, int batchSize, Action<Tensor> onFeatures)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Expected a positive batch size.");
        using var batches = imageBatches.GetEnumerator();
        while (true)
        {
            using var scope = NewDisposeScope();
            if (!batches.MoveNext()) break;
            var images = batches.Current;
            for (long start = 0; start < images.shape[0]; start += batchSize)
                onFeatures(extractor.Features(images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start))));
        }
    }
}
