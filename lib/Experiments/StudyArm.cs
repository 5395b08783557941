using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Experiments;

/// <summary>One arm of the <see cref="RecipeStudy"/>: a complete training setup that differs from the baseline in one
/// thing (<paramref name="Change"/>), trained for <paramref name="Steps"/> updates.</summary>
/// <param name="Name">Short name (run folder runs/study-&lt;name&gt;, tools/Train --arm).</param>
/// <param name="Change">What this arm changes against the baseline, in words.</param>
/// <param name="Recipe">Corruption, noise, loss, denoiser.</param>
/// <param name="Network">The U-Net.</param>
/// <param name="Training">Optimiser, batch, EMA and loss normalisation.</param>
/// <param name="Steps">Updates: the study's budget in this arm's units (fewer for a larger batch or a costlier network).</param>
public sealed record StudyArm(string Name, string Change, TrainingRecipe Recipe, UNetConfig Network, TrainingOptions Training, long Steps);
