using SoftDiffusion.Corruptions;
using SoftDiffusion.Losses;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using SoftDiffusion.Selection;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Experiments;

/// <summary>
/// What a training run learns (Fashion-MNIST or CelebA-64): the corruption C_t, the noise sigma_t (geometric from
/// <paramref name="SigmaMin"/> to <paramref name="SigmaMax"/>), the loss, and with them the start distribution p_1
/// of the samplers. The workbook's main run is <see cref="Blur"/>; the others are the ablations of notebook 06 and
/// the C_t = I baseline of notebook 07 (docs/method.md §11.1: an ablation swaps one object and touches nothing else).
/// </summary>
/// <param name="Name">Short name, used in run folder names (runs/&lt;dataset&gt;-&lt;name&gt;-&lt;profile&gt;) and charts.</param>
/// <param name="Corruption">C_t.</param>
/// <param name="SigmaMin">sigma_0 of the geometric noise schedule.</param>
/// <param name="SigmaMax">sigma_1 of the geometric noise schedule.</param>
/// <param name="Loss">The training objective.</param>
/// <param name="BlurLevels">Number of blur levels L (blur only).</param>
/// <param name="SelectBlurLevels">Choose the L levels from the data with <see cref="ScheduleSelector"/> (the paper's
/// method, Section 3.4); false spaces them logarithmically.</param>
/// <param name="Denoiser">How the network's output becomes x0_hat.</param>
/// <param name="SigmaPlateauFrom">When set, sigma_t rises geometrically to <paramref name="SigmaMax"/> at this t and stays
/// there (<see cref="PlateauNoiseSchedule"/>); null: geometric over the whole of [0, 1].</param>
public sealed record TrainingRecipe(
    string Name,
    CorruptionKind Corruption,
    double SigmaMin,
    double SigmaMax,
    TrainingLossKind Loss,
    int BlurLevels = 32,
    bool SelectBlurLevels = true,
    DenoiserKind Denoiser = DenoiserKind.Residual,
    double? SigmaPlateauFrom = null)
{
    /// <summary>Soft Diffusion as the paper trains it: blur with 32 levels selected from the data (Section 3.4; sigma_B
    /// 0.01 .. 10.06 px at 28 x 28, 256 candidates, coupling bound), Soft Score Matching, and noise that rises
    /// geometrically from 0.01 to 0.1 by t = 0.25 and stays there (the reading of the paper's schedule; the recipe
    /// study measured it better than 0.01 .. 0.05 geometric, docs/results.md) [choice]; p_1 a full-covariance Gaussian
    /// over the DCT coefficients that survive the strongest blur [choice].</summary>
    public static TrainingRecipe Blur { get; } =
        new("blur", CorruptionKind.Blur, 0.01, 0.1, TrainingLossKind.SoftScoreMatching, SigmaPlateauFrom: 0.25);

    /// <summary>C_t = I, i.e. VE denoising score matching (the paper's NCSN++ baseline) with sigma 0.01 .. 50
    /// (score_sde's CIFAR-10 sigma_max; Fashion-MNIST's largest pairwise distance in [-1, 1] is of that order)
    /// [choice], NCSN++'s scale-by-sigma denoiser (<see cref="SigmaScaledResidualDenoiser"/>); p_1 = N(0, 50^2 I).</summary>
    public static TrainingRecipe Identity { get; } =
        new("identity", CorruptionKind.Identity, 0.01, 50, TrainingLossKind.SoftScoreMatching, Denoiser: DenoiserKind.SigmaScaledResidual);

    /// <summary>Ablation: the blur recipe trained with the pixel-space loss ||x0_hat - x_0||^2 instead of Soft Score Matching.</summary>
    public static TrainingRecipe BlurPixelLoss { get; } = Blur with { Name = "blur-pixel-loss", Loss = TrainingLossKind.Pixel };

    /// <summary>Ablation: masking in a random pixel order instead of blur, same noise; p_1 = N(0, sigma_1^2 I) (C_1 = 0).</summary>
    public static TrainingRecipe Masking { get; } = Blur with { Name = "masking", Corruption = CorruptionKind.Masking };

    /// <summary>Ablation: masking with the error filtered one step ahead (C_{t - dt}), which trains the pixels the
    /// sampler reveals next (a hard mask gives them no gradient under Soft Score Matching).</summary>
    public static TrainingRecipe MaskingFilteredAhead { get; } = Masking with { Name = "masking-filtered-ahead", Loss = TrainingLossKind.FilteredAhead };

    /// <summary>Ablation: five times the noise of the blur recipe (sigma_max 0.5, the same plateau).</summary>
    public static TrainingRecipe BlurHighNoise { get; } = Blur with { Name = "blur-noise-0.5", SigmaMax = 0.5 };

    /// <summary>Ablation: 8 selected blur levels instead of 32.</summary>
    public static TrainingRecipe BlurFewLevels { get; } = Blur with { Name = "blur-8-levels", BlurLevels = 8 };

    /// <summary>Ablation: 32 log-spaced blur levels instead of 32 selected ones.</summary>
    public static TrainingRecipe BlurLogSpaced { get; } = Blur with { Name = "blur-log-spaced", SelectBlurLevels = false };

    /// <summary>The ablations of notebook 06, the reference recipe first.</summary>
    public static IReadOnlyList<TrainingRecipe> Ablations { get; } = [Blur, BlurPixelLoss, Masking, MaskingFilteredAhead, Identity, BlurHighNoise, BlurFewLevels];

    /// <summary>Every named recipe: the ablations and <see cref="BlurLogSpaced"/> (left out of notebook 06's default list
    /// to keep the cpu profile's budget; train it with tools/Train --recipe blur-log-spaced --ablation).</summary>
    public static IReadOnlyList<TrainingRecipe> All { get; } = [.. Ablations, BlurLogSpaced];

    /// <summary>The recipe of <see cref="All"/> named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No recipe has that name; the message lists the names.</exception>
    public static TrainingRecipe Find(string name) => All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"Unknown recipe '{name}': expected one of {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));

    /// <summary>One line: C_t, sigma_t, loss.</summary>
    public string Describe() => Corruption switch
    {
        CorruptionKind.Blur => $"blur ({BlurLevels} {(SelectBlurLevels ? "selected" : "log-spaced")} levels)",
        CorruptionKind.Masking => "masking (random pixel order)",
        _ => "C_t = I",
    } + $", noise {SigmaMin:G3} .. {SigmaMax:G3}{(SigmaPlateauFrom is { } from ? $" (constant from t = {from:G3})" : "")}, "
      + Loss switch
      {
          TrainingLossKind.Pixel => "pixel loss",
          TrainingLossKind.FilteredAhead => $"Soft Score Matching filtered by C_(t - {FilteredLoss.DefaultLead:G2})",
          _ => "Soft Score Matching",
      }
      + (Denoiser == DenoiserKind.SigmaScaledResidual ? ", x0_hat = x_t + sigma_t phi" : "");

    /// <summary>Every setting as (name, value) pairs, for the check that a run folder holds this recipe.</summary>
    public IReadOnlyList<(string Name, string Value)> Fingerprint() =>
    [
        .. Settings(),
        // Settings added later appear only when set, so run folders of earlier versions still open.
        .. SigmaPlateauFrom is { } from ? [("sigma plateau from", from.ToString("R", System.Globalization.CultureInfo.InvariantCulture))] : Array.Empty<(string, string)>(),
    ];

    IEnumerable<(string Name, string Value)> Settings() =>
    [
        ("recipe", Name),
        ("corruption", Corruption.ToString()),
        ("sigma min", SigmaMin.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        ("sigma max", SigmaMax.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        ("loss", Loss.ToString()),
        ("blur levels", BlurLevels.ToString()),
        ("blur levels chosen by", SelectBlurLevels ? "selection" : "log spacing"),
        ("denoiser", Denoiser.ToString()),
    ];

    /// <summary>Throws ArgumentException naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"Expected a recipe name usable in a folder name, got '{Name}'.");
        if (!(SigmaMin > 0) || !(SigmaMax > SigmaMin))
            throw new ArgumentException($"Expected 0 < sigma min < sigma max, got {SigmaMin} and {SigmaMax}.");
        if (SigmaPlateauFrom is { } p && !(p > 0 && p <= 1))
            throw new ArgumentException($"Expected the sigma plateau to start at t in (0, 1], got {p}.");
        if (Corruption == CorruptionKind.Blur && BlurLevels < 2)
            throw new ArgumentException($"Expected at least 2 blur levels, got {BlurLevels}.");
    }

    /// <summary>C_t for images like <paramref name="images"/> [N, C, H, W]; blur levels are selected on them.</summary>
    /// <param name="images">Training images (their statistics choose the blur levels; only the size matters otherwise).</param>
    /// <param name="noise">sigma_t, from <see cref="CreateNoise"/> (the level selection measures distances under it).</param>
    public ICorruption CreateCorruption(Tensor images, INoiseSchedule noise) => Corruption switch
    {
        CorruptionKind.Blur => new BlurCorruption(SelectBlurLevels
            ? new ScheduleSelector(new ScheduleSelectorOptions(Levels: BlurLevels)).Select(images, noise).Schedule
            : BlurSchedule.LogSpaced(images.shape[2], BlurLevels)),
        CorruptionKind.Masking => new MaskCorruption(images.shape[2], images.shape[3]),
        _ => new IdentityCorruption(),
    };

    /// <summary>sigma_t: geometric from sigma_min to sigma_max, or with a plateau from <see cref="SigmaPlateauFrom"/> on.</summary>
    public INoiseSchedule CreateNoise() => SigmaPlateauFrom is { } plateauFrom
        ? new PlateauNoiseSchedule(SigmaMin, SigmaMax, plateauFrom)
        : new GeometricNoiseSchedule(SigmaMin, SigmaMax);

    /// <summary>The denoiser x0_hat = h(x_t, t) built on the network phi (the trained one or its EMA copy).</summary>
    public IDenoiser CreateDenoiser(nn.Module<Tensor, Tensor, Tensor> network, INoiseSchedule noise) => Denoiser switch
    {
        DenoiserKind.SigmaScaledResidual => new SigmaScaledResidualDenoiser(network, noise),
        _ => new ResidualDenoiser(network),
    };

    /// <summary>The per-sample training loss for x_t = C_t x_0 + sigma_t eta.</summary>
    public ITrainingLoss CreateLoss(ICorruption corruption, INoiseSchedule noise)
    {
        var process = new CorruptionProcess(corruption, noise);
        return Loss switch
        {
            TrainingLossKind.Pixel => new PixelLoss(process),
            TrainingLossKind.FilteredAhead => new FilteredLoss(process),
            _ => new SoftScoreMatchingLoss(process),
        };
    }

    /// <summary>p_1: for blur a mixture of full-covariance Gaussians over the surviving DCT coefficients fitted to
    /// <paramref name="images"/> (K = <see cref="DctGaussianMixtureStart.ComponentsFor"/> their number: 50 for 10,000 images);
    /// N(0, sigma_1^2 I) for masking (exact, C_1 = 0) and for C_t = I (sigma_1 = 50 swamps the data's spread, as in VE sampling).</summary>
    /// <param name="images">Images [N, C, H, W] to fit to (blur only).</param>
    /// <param name="corruption">The C_t from <see cref="CreateCorruption"/>.</param>
    /// <param name="noise">The sigma_t from <see cref="CreateNoise"/>.</param>
    public IStartDistribution FitStart(Tensor images, ICorruption corruption, INoiseSchedule noise) => corruption switch
    {
        BlurCorruption blur => DctGaussianMixtureStart.Fit(images, blur, noise, DctGaussianMixtureStart.ComponentsFor(images.shape[0])),
        _ => new IsotropicGaussianStart(images.shape[1], images.shape[2], images.shape[3], noise),
    };
}
