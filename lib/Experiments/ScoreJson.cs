using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoftDiffusion.Experiments;

/// <summary>How score files are written and read (score caches, docs/scores.json, docs/recipe-study.json): indented,
/// enums by name, NaN and infinities allowed.</summary>
static class ScoreJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
