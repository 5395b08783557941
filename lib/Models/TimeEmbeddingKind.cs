namespace SoftDiffusion.Models;

/// <summary>
/// How the U-Net encodes the continuous time t in [0, 1] before its MLP (NCSN++ uses Gaussian Fourier features,
/// DDPM++ sinusoidal position embeddings; Song et al. 2021, Appendix H). The paper does not say which. [choice]
/// </summary>
public enum TimeEmbeddingKind
{
    /// <summary>Transformer-style sinusoids of 1000 t (DDPM's frequencies for its 1000 integer steps).</summary>
    Sinusoidal,

    /// <summary>sin / cos(2 pi w t) with fixed random w ~ N(0, 16^2) (NCSN++'s GaussianFourierProjection).</summary>
    GaussianFourier,
}
