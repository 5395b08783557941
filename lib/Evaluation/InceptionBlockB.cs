using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Inception-v3 grid reduction B (Mixed_6a, 35 -> 17): strided 3x3, strided double 3x3 and a strided max pool.
/// Field names are the PyTorch state-dict keys.
/// </summary>
sealed class InceptionBlockB : Module<Tensor, Tensor>
{
    readonly InceptionConv branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionBlockB(long inChannels) : base(nameof(InceptionBlockB))
    {
        branch3x3 = new InceptionConv(inChannels, 384, 3, stride: 2);
        branch3x3dbl_1 = new InceptionConv(inChannels, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3.call(x);
        var b3dbl = branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x)));
        return cat([b3, b3dbl, InceptionPooling.Reduce(x)], 1).MoveToOuterDisposeScope();
    }
}
