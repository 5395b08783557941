using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// torchvision's BasicConv2d, the unit of Inception-v3 (Szegedy et al. 2016): convolution without bias, BatchNorm
/// with eps 0.001, ReLU. Field names are the PyTorch state-dict keys ("conv", "bn").
/// </summary>
sealed class InceptionConv : Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;

    /// <summary>A square kernel.</summary>
    public InceptionConv(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), (padding, padding), (stride, stride)) { }

    /// <summary>A kernel (kH, kW) with padding (pH, pW), e.g. the 1 x 7 and 7 x 1 factorised convolutions.</summary>
    public InceptionConv(long inChannels, long outChannels, (long, long) kernel, (long, long) padding, (long, long)? stride = null)
        : base(nameof(InceptionConv))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride ?? (1, 1), padding: padding, bias: false);
        bn = BatchNorm2d(outChannels, eps: 0.001);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => functional.relu(bn.call(conv.call(x)));
}
