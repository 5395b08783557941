using SoftDiffusion.Corruptions;
using SoftDiffusion.Experiments;
using SoftDiffusion.Losses;
using SoftDiffusion.Schedules;
using SoftDiffusion.Start;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Experiments;

public sealed class TrainingRecipeTests
{
    public static TheoryData<string> RecipeNames => new(TrainingRecipe.All.Select(r => r.Name));

    [Fact]
    public void EveryAblationDiffersFromTheReferenceInExactlyOneSetting()
    {
        foreach (var recipe in TrainingRecipe.All.Skip(1))
        {
            // The masking fix is one change against masking; every other ablation one change against blur.
            var parent = recipe == TrainingRecipe.MaskingFilteredAhead ? TrainingRecipe.Masking : TrainingRecipe.Blur;
            var reference = parent.Fingerprint().Skip(1).ToList();   // skip the name
            var settings = recipe.Fingerprint().Skip(1).ToList();
            int changed = settings.Zip(reference).Count(p => p.First != p.Second);
            // C_t = I changes the corruption and what it needs with it, the noise range (sigma_max 50) and the
            // scale-by-sigma denoiser: the one exception, stated in the recipe.
            Assert.Equal(recipe == TrainingRecipe.Identity ? 3 : 1, changed);
        }
        Assert.Equal(TrainingRecipe.All.Count, TrainingRecipe.All.Select(r => r.Name).Distinct().Count());
        Assert.Equal(TrainingRecipe.Blur, TrainingRecipe.Ablations[0]);
    }

    [Theory]
    [MemberData(nameof(RecipeNames))]
    public void BuildsTheObjectsItNames(string name)
    {
        var recipe = TrainingRecipe.All.Single(r => r.Name == name);
        recipe.Validate();
        using var images = rand(64, 1, 28, 28, generator: new Generator(1)) * 2 - 1;
        var noise = recipe.CreateNoise();
        var corruption = recipe.CreateCorruption(images, noise);
        Assert.Equal(recipe.SigmaMin, noise.Sigma(0.0), 12);
        Assert.Equal(recipe.SigmaMax, noise.Sigma(1.0), 12);
        Assert.IsType(recipe.Corruption switch
        {
            CorruptionKind.Blur => typeof(BlurCorruption),
            CorruptionKind.Masking => typeof(MaskCorruption),
            _ => typeof(IdentityCorruption),
        }, corruption);
        Assert.IsType(recipe.Loss switch
        {
            TrainingLossKind.Pixel => typeof(PixelLoss),
            TrainingLossKind.FilteredAhead => typeof(FilteredLoss),
            _ => typeof(SoftScoreMatchingLoss),
        }, recipe.CreateLoss(corruption, noise));
        using var network = new SoftDiffusion.Models.UNet(SoftDiffusion.Models.UNetConfig.Tiny(1));
        Assert.IsType(recipe.Corruption == CorruptionKind.Identity ? typeof(SoftDiffusion.Models.SigmaScaledResidualDenoiser) : typeof(SoftDiffusion.Models.ResidualDenoiser),
            recipe.CreateDenoiser(network, noise));
        if (corruption is BlurCorruption blur)
        {
            Assert.Equal(recipe.BlurLevels, blur.Schedule.Levels.Count);
            Assert.Equal(BlurSchedule.DefaultSigmaMin, blur.Schedule.Levels[0], 12);
            Assert.Equal(BlurSchedule.DefaultSigmaMax(28), blur.Schedule.Levels[^1], 9);
            var logSpaced = BlurSchedule.LogSpaced(28, recipe.BlurLevels).Levels;
            Assert.Equal(!recipe.SelectBlurLevels, logSpaced.Zip(blur.Schedule.Levels).All(p => Math.Abs(p.First - p.Second) < 1e-12));
        }

        var start = recipe.FitStart(images, corruption, noise);
        Assert.IsType(recipe.Corruption == CorruptionKind.Blur ? typeof(DctGaussianMixtureStart) : typeof(IsotropicGaussianStart), start);
        if (start is DctGaussianMixtureStart mixture) Assert.Equal(DctGaussianMixtureStart.ComponentsFor(images.shape[0]), mixture.Components);
        (start as IDisposable)?.Dispose();
    }

    [Fact]
    public void TheIdentityStartHasTheStandardDeviationSigmaOne()
    {
        var recipe = TrainingRecipe.Identity;
        using var images = zeros(2, 1, 28, 28);
        var start = recipe.FitStart(images, recipe.CreateCorruption(images, recipe.CreateNoise()), recipe.CreateNoise());
        using var noise = new SoftDiffusion.Corruptions.PerSampleNoise(3, 64);
        using var x1 = start.Sample(noise);
        // 64 x 784 draws: the sample standard deviation is within 1% of 50 with overwhelming probability (its own sd is 50 / sqrt(2 * 50176) = 0.16).
        Assert.InRange(x1.std().item<float>(), 49.5, 50.5);
    }

    [Theory]
    [InlineData("", 0.01, 0.05, 32, "name")]
    [InlineData("a/b", 0.01, 0.05, 32, "name")]
    [InlineData("x", 0.05, 0.05, 32, "sigma")]
    [InlineData("x", 0.0, 0.05, 32, "sigma")]
    [InlineData("x", 0.01, 0.05, 1, "blur levels")]
    public void InvalidSettingsAreNamed(string name, double sigmaMin, double sigmaMax, int levels, string expected)
    {
        var recipe = TrainingRecipe.Blur with { Name = name, SigmaMin = sigmaMin, SigmaMax = sigmaMax, BlurLevels = levels };
        var e = Assert.Throws<ArgumentException>(recipe.Validate);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void APlateauIsPartOfTheFingerprintOnlyWhenSet()
    {
        // Run folders written before the plateau existed hold recipes without that line; they must still open.
        Assert.DoesNotContain((TrainingRecipe.Blur with { SigmaPlateauFrom = null }).Fingerprint(), p => p.Name == "sigma plateau from");
        var plateau = TrainingRecipe.Blur;   // the cpu recipe since the study: 0.01 -> 0.1 by t = 0.25, then constant
        Assert.Contains(("sigma plateau from", "0.25"), plateau.Fingerprint());
        var noise = Assert.IsType<PlateauNoiseSchedule>(plateau.CreateNoise());
        Assert.Equal(0.1, noise.Sigma(0.5), 15);
        Assert.Contains("(constant from t = 0.25)", plateau.Describe());
        var e = Assert.Throws<ArgumentException>((plateau with { SigmaPlateauFrom = 0 }).Validate);
        Assert.Contains("plateau", e.Message);
    }
}
