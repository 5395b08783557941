using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Inception-v3 grid reduction D (Mixed_7a, 17 -> 8): 1x1 then strided 3x3, 1x1 then factorised 7x7 then strided
/// 3x3, and a strided max pool. Field names are the PyTorch state-dict keys.
/// </summary>
sealed class InceptionBlockD : Module<Tensor, Tensor>
{
    readonly InceptionConv branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionBlockD(long inChannels) : base(nameof(InceptionBlockD))
    {
        branch3x3_1 = new InceptionConv(inChannels, 192, 1);
        branch3x3_2 = new InceptionConv(192, 320, 3, stride: 2);
        branch7x7x3_1 = new InceptionConv(inChannels, 192, 1);
        branch7x7x3_2 = new InceptionConv(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new InceptionConv(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new InceptionConv(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3_2.call(branch3x3_1.call(x));
        var b7 = branch7x7x3_4.call(branch7x7x3_3.call(branch7x7x3_2.call(branch7x7x3_1.call(x))));
        return cat([b3, b7, InceptionPooling.Reduce(x)], 1).MoveToOuterDisposeScope();
    }
}
