using System.Text.Json;
using SoftDiffusion.Evaluation;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// One measured score of a model file, as recorded in docs/scores.json (written by tools/Score --collect-scores from
/// the score caches of runs/shipped-&lt;model&gt;/ merged with what it recorded before (<see cref="Merge"/>), read by
/// notebooks 05 and 07 and docs/results.md), with the paired
/// difference to the reference sampler of the same model, NFE, sample count and seed (or, for another p_1, to the fitted one).
/// </summary>
/// <param name="Model">The model file's name without extension (e.g. fashion-blur-cpu, blur-step450).</param>
/// <param name="Score">FID with its bootstrap interval and KID.</param>
/// <param name="PairedWith">The sampler of the paired score: Naive when the model has that score, else Momentum; null
/// for the reference itself or when the model has no score to pair with. A score from another p_1 than the fitted one
/// (<see cref="SampleScore.Start"/>) is paired with its own sampler's score from the fitted p_1 instead, so its
/// difference measures the start distribution.</param>
/// <param name="Difference">FID(this) - FID(paired) with a 95% bootstrap interval that resamples the sample index
/// jointly in both sets (sample k of both starts from the same x_1 with the same seed) and the reference features.</param>
public sealed record RecordedScore(string Model, SampleScore Score, SamplerKind? PairedWith, FidInterval? Difference)
{
    static JsonSerializerOptions Json => ScoreJson.Options;

    /// <summary>Reads the list written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IReadOnlyList<RecordedScore> Load(string path) =>
        JsonSerializer.Deserialize<List<RecordedScore>>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"'{path}' holds null, expected a list of recorded scores.");

    /// <summary>Writes <paramref name="scores"/> as indented JSON.</summary>
    public static void Save(string path, IEnumerable<RecordedScore> scores) =>
        File.WriteAllText(path, JsonSerializer.Serialize(scores.ToList(), Json) + "\n");

    /// <summary>docs/scores.json after a session collected <paramref name="collected"/>: every model collected now takes the
    /// place of all its recorded entries (a model file of the same name may have been replaced, so no recorded entry of it
    /// survives beside the new ones), except that a collected score without a paired difference keeps the recorded
    /// difference of the identical score (same settings and result up to rounding, whatever its sampling time: its
    /// features did not outlive the session that measured them); models not collected now keep their recorded entries. Collected models come first, in their order.</summary>
    /// <param name="recorded">The entries recorded so far.</param>
    /// <param name="collected">The entries collected from the score caches present now.</param>
    public static IReadOnlyList<RecordedScore> Merge(IEnumerable<RecordedScore> recorded, IReadOnlyList<RecordedScore> collected)
    {
        var models = collected.Select(r => r.Model).ToHashSet();
        var old = recorded.ToList();
        var merged = collected.Select(r => r.Difference is null && old.FirstOrDefault(o => o.Model == r.Model && SameMeasurement(o.Score, r.Score)) is { Difference: not null } same
            ? same : r).ToList();
        merged.AddRange(old.Where(o => !models.Contains(o.Model)));
        return merged;
    }

    // The same settings and the same result: a score sampled again with the same seeds differs in its wall time and, on
    // another machine, in the last digits (seen: 5e-8 relative between an AMD and an Intel host).
    static bool SameMeasurement(SampleScore a, SampleScore b)
    {
        static SampleScore Settings(SampleScore s) => s with { SamplingSeconds = 0, Fid = 0, FidLow = 0, FidHigh = 0, KidMean = 0, KidStandardDeviation = 0 };
        static bool Close(double? x, double? y) => x == y || (x is { } p && y is { } q && Math.Abs(p - q) <= 1e-6 * Math.Max(Math.Abs(p), Math.Abs(q)));
        return Settings(a) == Settings(b) && Close(a.Fid, b.Fid) && Close(a.FidLow, b.FidLow) && Close(a.FidHigh, b.FidHigh)
            && Close(a.KidMean, b.KidMean) && Close(a.KidStandardDeviation, b.KidStandardDeviation);
    }

    /// <summary>Every cached score of the models <paramref name="models"/> (name, score cache of one extractor), each
    /// paired with the reference sampler's score of the same settings (<see cref="PairedWith"/>). Scores whose features
    /// are not cached are recorded without a difference.</summary>
    /// <param name="models">Model names and their caches of the scorer's extractor (<see cref="SampleScorer.Cache"/>).</param>
    /// <param name="reference">The reference features of the scorer that made the scores.</param>
    public static IReadOnlyList<RecordedScore> Collect(IEnumerable<(string Model, ScoreCache Cache)> models, Tensor reference)
    {
        var recorded = new List<RecordedScore>();
        foreach (var (model, cache) in models)
        {
            var scores = cache.All();
            foreach (var score in scores.OrderBy(s => s.Nfe).ThenBy(s => s.Sampler))
            {
                var paired = ReferenceFor(score, scores);
                FidInterval? difference = null;
                if (paired is not null && cache.HasFeatures(score) && cache.HasFeatures(paired))
                {
                    using var first = cache.Features(score);
                    using var second = cache.Features(paired);
                    difference = FidBootstrap.Difference(first, second, reference, SampleScorer.BootstrapResamples);
                }
                recorded.Add(new RecordedScore(model, score, paired?.Sampler, difference));
            }
        }
        return recorded;
    }

    /// <summary>FID(first) - FID(second) with a paired 95% bootstrap interval, for two cached scores (cache files of
    /// <see cref="ScoreCache"/> with their features beside them) of the same sample count and seed, e.g. two models
    /// sampled with the same seeds.</summary>
    /// <exception cref="FileNotFoundException">A score or its features are not cached.</exception>
    /// <exception cref="ArgumentException">The two scores are of different sample counts, seeds or extractors.</exception>
    public static (SampleScore First, SampleScore Second, FidInterval Difference) DifferenceOf(string firstCache, string secondCache, Tensor reference)
    {
        var (first, second) = (Read(firstCache), Read(secondCache));
        if (first.Samples != second.Samples || first.Seed != second.Seed)
            throw new ArgumentException($"Expected two scores of the same samples and seed to pair, got n = {first.Samples}, seed {first.Seed} " +
                $"and n = {second.Samples}, seed {second.Seed}.");
        if (first.Extractor != second.Extractor)
            throw new ArgumentException($"Expected two scores of the same feature extractor to pair, got '{first.Extractor}' and '{second.Extractor}'.");
        using var a = ScoreCache.ReadFeatures(firstCache);
        using var b = ScoreCache.ReadFeatures(secondCache);
        return (first, second, FidBootstrap.Difference(a, b, reference, SampleScorer.BootstrapResamples));

        static SampleScore Read(string cache) => ScoreCache.Read(Path.GetFullPath(cache))
            ?? throw new FileNotFoundException($"Expected a cached score at {cache}.", cache);
    }

    // From the fitted p_1: Naive when the model has a Naive score of the same settings, else Momentum, never the score
    // itself; from another p_1: the same sampler from the fitted p_1.
    static SampleScore? ReferenceFor(SampleScore score, IReadOnlyList<SampleScore> scores)
    {
        SampleScore? Find(SamplerKind kind, StartKind start) => scores.FirstOrDefault(s => s.Sampler == kind && s.Nfe == score.Nfe &&
            s.Samples == score.Samples && s.Seed == score.Seed && s.TrainingSteps == score.TrainingSteps && s.Start == start);
        if (score.Start != StartKind.Fitted) return Find(score.Sampler, StartKind.Fitted);
        var reference = Find(SamplerKind.Naive, StartKind.Fitted) ?? Find(SamplerKind.Momentum, StartKind.Fitted);
        return reference is null || reference.Sampler == score.Sampler ? null : reference;
    }
}
