namespace SoftDiffusion.Experiments;

/// <summary>The corruption C_t of a <see cref="TrainingRecipe"/> (docs/method.md §2).</summary>
public enum CorruptionKind
{
    /// <summary>Gaussian blur in the DCT basis (the paper's main operator); its levels are selected from the data
    /// (<see cref="TrainingRecipe.SelectBlurLevels"/>, the default) or log-spaced.</summary>
    Blur,
    /// <summary>Masking in a fixed random pixel order, rho(t) = t.</summary>
    Masking,
    /// <summary>C_t = I: plain denoising score matching (VE / SMLD), the paper's baseline.</summary>
    Identity,
}
