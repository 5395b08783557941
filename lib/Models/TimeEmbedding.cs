using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Models;

/// <summary>
/// Time conditioning of the U-Net: t [B] in [0, 1] -> features (sinusoidal or Gaussian Fourier) -> Linear, SiLU,
/// Linear -> embedding [B, D] (DDPM++ / NCSN++, Song et al. 2021).
/// </summary>
public sealed class TimeEmbedding : Module<Tensor, Tensor>
{
    const double SinusoidalTimeScale = 1000;   // DDPM's integer steps 0..999 correspond to t in [0, 1)
    const double FourierScale = 16;            // NCSN++'s GaussianFourierProjection scale
    const ulong FourierSeed = 0;               // the frequencies are a fixed buffer, saved with the weights

    readonly TimeEmbeddingKind kind;
    readonly Tensor? fourierFrequencies;
    readonly Linear dense0;
    readonly Linear dense1;

    /// <param name="kind">Encoding of t.</param>
    /// <param name="featureDim">Number of sin/cos features (even).</param>
    /// <param name="embeddingDim">Output dimension D.</param>
    public TimeEmbedding(TimeEmbeddingKind kind, int featureDim, int embeddingDim) : base(nameof(TimeEmbedding))
    {
        this.kind = kind;
        if (kind == TimeEmbeddingKind.GaussianFourier)
        {
            using var g = new Generator(FourierSeed);
            fourierFrequencies = randn([featureDim / 2], generator: g) * FourierScale;
            register_buffer("fourier_frequencies", fourierFrequencies);
        }
        dense0 = Linear(featureDim, embeddingDim);
        dense1 = Linear(embeddingDim, embeddingDim);
        RegisterComponents();
    }

    /// <param name="t">Times [B] in [0, 1].</param>
    /// <returns>Embedding [B, D].</returns>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var features = kind == TimeEmbeddingKind.GaussianFourier ? Fourier(t) : Sinusoidal(t);
        var h = dense1.call(functional.silu(dense0.call(features)));
        return h.MoveToOuterDisposeScope();
    }

    // [sin(2 pi w t), cos(2 pi w t)] with w ~ N(0, 16^2) fixed at construction.
    Tensor Fourier(Tensor t)
    {
        var angles = t.unsqueeze(1) * fourierFrequencies!.unsqueeze(0) * (2 * Math.PI);
        return cat([angles.sin(), angles.cos()], 1);
    }

    // [sin(1000 t f_k), cos(1000 t f_k)], f_k = 10000^(-k / (half - 1)) (Transformer / DDPM position embedding).
    Tensor Sinusoidal(Tensor t)
    {
        long half = dense0.in_features / 2;
        var k = arange(half, dtype: t.dtype, device: t.device);
        var frequencies = exp(k * (-Math.Log(10000) / Math.Max(1, half - 1)));
        var angles = (t * SinusoidalTimeScale).unsqueeze(1) * frequencies.unsqueeze(0);
        return cat([angles.sin(), angles.cos()], 1);
    }
}
