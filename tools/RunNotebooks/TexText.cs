using System.Text.RegularExpressions;

namespace SoftDiffusion.Tools;

/// <summary>
/// The TeX of markdown cells written as readable HTML text for the main job's pages, which have no math renderer
/// offline: Greek letters and common symbols become Unicode, _x and ^{..} become sub- and superscripts,
/// \frac{a}{b} becomes (a)/(b). An approximation for reading, not a typesetter.
/// </summary>
public static partial class TexText
{
    static readonly Dictionary<string, string> Symbols = new()
    {
        ["alpha"] = "α", ["beta"] = "β", ["gamma"] = "γ", ["delta"] = "δ", ["Delta"] = "Δ", ["epsilon"] = "ε", ["varepsilon"] = "ε",
        ["eta"] = "η", ["theta"] = "θ", ["lambda"] = "λ", ["mu"] = "μ", ["nu"] = "ν", ["pi"] = "π", ["rho"] = "ρ", ["sigma"] = "σ",
        ["Sigma"] = "Σ", ["tau"] = "τ", ["phi"] = "φ", ["varphi"] = "φ", ["omega"] = "ω", ["nabla"] = "∇", ["partial"] = "∂",
        ["sim"] = "∼", ["in"] = "∈", ["le"] = "≤", ["leq"] = "≤", ["ge"] = "≥", ["geq"] = "≥", ["approx"] = "≈", ["neq"] = "≠",
        ["times"] = "×", ["cdot"] = "·", ["odot"] = "⊙", ["dots"] = "…", ["ldots"] = "…", ["cdots"] = "⋯", ["to"] = "→",
        ["infty"] = "∞", ["sum"] = "∑", ["int"] = "∫", ["sqrt"] = "√", ["mid"] = " | ", ["lVert"] = "‖", ["rVert"] = "‖",
        ["langle"] = "⟨", ["rangle"] = "⟩", ["lfloor"] = "⌊", ["rfloor"] = "⌋", ["qquad"] = "\u2003\u2003", ["quad"] = "\u2003",
        ["left"] = "", ["right"] = "", ["log"] = "log", ["exp"] = "exp", ["max"] = "max", ["min"] = "min",
    };

    static readonly Dictionary<string, string> Letters = new() { ["mathcal N"] = "𝒩", ["mathbb E"] = "𝔼", ["mathbb R"] = "ℝ" };

    /// <summary>The HTML text of <paramref name="tex"/> (already HTML-escaped, as Markdig leaves math).</summary>
    public static string ToHtml(string tex)
    {
        string text = Frac().Replace(tex, m => $"({m.Groups[1].Value})/({m.Groups[2].Value})");
        text = Font().Replace(text, m => Letters.TryGetValue($"{m.Groups[1].Value} {m.Groups[2].Value}", out var letter) ? letter : m.Groups[2].Value);
        text = Hat().Replace(text, m => m.Groups[1].Value + "\u0302");
        text = Spacing().Replace(text, " ");
        text = Command().Replace(text, m => Symbols.TryGetValue(m.Groups[1].Value, out var symbol) ? symbol : m.Groups[1].Value);
        text = Script().Replace(text, m => $"<{(m.Groups[1].Value == "_" ? "sub" : "sup")}>{(m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)}</{(m.Groups[1].Value == "_" ? "sub" : "sup")}>");
        return text.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\\frac\{([^{}]*)\}\{([^{}]*)\}")]
    private static partial Regex Frac();

    [GeneratedRegex(@"\\(mathcal|mathbb|mathrm|text|operatorname)\s*\{?([^{}]*?)\}?(?=[^A-Za-z]|$)")]
    private static partial Regex Font();

    [GeneratedRegex(@"\\hat\s*\{?([A-Za-z])\}?")]
    private static partial Regex Hat();

    [GeneratedRegex(@"\\[ ,;:!]")]
    private static partial Regex Spacing();

    [GeneratedRegex(@"\\([A-Za-z]+)")]
    private static partial Regex Command();

    [GeneratedRegex(@"([_^])(?:\{([^{}]*)\}|(\\?[A-Za-z0-9]|[^\s{}<]))")]
    private static partial Regex Script();
}
