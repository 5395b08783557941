using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Inception-v3 block A (Mixed_5b..5d; pytorch-fid's FIDInceptionA): 1x1, 5x5, double 3x3 and an average-pool branch
/// that excludes padding. Field names are the PyTorch state-dict keys.
/// </summary>
sealed class InceptionBlockA : Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;

    public InceptionBlockA(long inChannels, long poolFeatures) : base(nameof(InceptionBlockA))
    {
        branch1x1 = new InceptionConv(inChannels, 64, 1);
        branch5x5_1 = new InceptionConv(inChannels, 48, 1);
        branch5x5_2 = new InceptionConv(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new InceptionConv(inChannels, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, padding: 1);
        branch_pool = new InceptionConv(inChannels, poolFeatures, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.call(x);
        var b5 = branch5x5_2.call(branch5x5_1.call(x));
        var b3 = branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x)));
        var bPool = branch_pool.call(InceptionPooling.PoolBranch(x, InceptionPoolBranch.AverageExcludingPadding));
        return cat([b1, b5, b3, bPool], 1).MoveToOuterDisposeScope();
    }
}
