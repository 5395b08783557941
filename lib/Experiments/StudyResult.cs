using System.Text.Json;

namespace SoftDiffusion.Experiments;

/// <summary>One scored arm of the <see cref="RecipeStudy"/> as recorded in docs/recipe-study.json (written by
/// tools/Score --collect-study, read by notebook 06 and docs/results.md).</summary>
/// <param name="Arm">The arm's name.</param>
/// <param name="Change">What it changes against the baseline.</param>
/// <param name="Steps">Updates trained.</param>
/// <param name="BatchSize">Images per update.</param>
/// <param name="TrainingSeconds">Wall time of the training (two one-thread arms side by side; the machine was shared).</param>
/// <param name="Score">FID with its bootstrap interval and KID of the arm's samples.</param>
/// <param name="DifferenceToBaseline">FID(arm) - FID(baseline) with a paired 95% bootstrap interval (the same seeds in
/// both arms); null for the baseline.</param>
public sealed record StudyResult(string Arm, string Change, long Steps, int BatchSize, double TrainingSeconds, SampleScore Score,
    Evaluation.FidInterval? DifferenceToBaseline)
{
    static JsonSerializerOptions Json => ScoreJson.Options;

    /// <summary>Reads the list written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IReadOnlyList<StudyResult> Load(string path) =>
        JsonSerializer.Deserialize<List<StudyResult>>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"'{path}' holds null, expected a list of study results.");

    /// <summary>The study's record after a session scored <paramref name="collected"/>: for each arm of
    /// <see cref="RecipeStudy.Arms"/>, in that order, its result from <paramref name="collected"/> when this session scored
    /// it, else the one already <paramref name="recorded"/> (runs do not outlive a session, so the arms scored in earlier
    /// sessions stay as they were recorded); arms in neither are left out.</summary>
    /// <param name="recorded">The results in docs/recipe-study.json so far.</param>
    /// <param name="collected">The results scored from the runs present now.</param>
    /// <exception cref="InvalidOperationException">The baseline was scored again with another result while recorded arms
    /// that are not scored again hold paired differences to the recorded baseline.</exception>
    public static IReadOnlyList<StudyResult> Merge(IEnumerable<StudyResult> recorded, IEnumerable<StudyResult> collected)
    {
        var fresh = collected.ToDictionary(r => r.Arm);
        var old = recorded.ToDictionary(r => r.Arm);
        string baseline = RecipeStudy.Baseline.Name;
        if (fresh.GetValueOrDefault(baseline) is { } now && old.GetValueOrDefault(baseline) is { } then && now.Score != then.Score
            && old.Values.Where(r => r.DifferenceToBaseline is not null && !fresh.ContainsKey(r.Arm)).Select(r => r.Arm).ToList() is { Count: > 0 } stale)
            throw new InvalidOperationException($"The baseline was scored again (FID {now.Score.Fid:F2}, recorded {then.Score.Fid:F2}), but the " +
                $"recorded paired differences of {string.Join(", ", stale)} are to the recorded baseline: score those arms again too, " +
                "or collect without the baseline's run.");
        return RecipeStudy.Arms.Select(a => fresh.GetValueOrDefault(a.Name) ?? old.GetValueOrDefault(a.Name))
            .OfType<StudyResult>().ToList();
    }

    /// <summary>Writes <paramref name="results"/> as indented JSON.</summary>
    public static void Save(string path, IEnumerable<StudyResult> results) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results.ToList(), Json) + "\n");
}
