using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Inception-v3 block E (Mixed_7b, 7c; pytorch-fid's FIDInceptionE_1 and FIDInceptionE_2): 1x1, a 3x3 split into
/// parallel 1x3 and 3x1, a double 3x3 split the same way, and a pool branch (average excluding padding in 7b, max in
/// 7c). Field names are the PyTorch state-dict keys.
/// </summary>
sealed class InceptionBlockE : Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b,
        branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
    readonly InceptionPoolBranch pool;

    public InceptionBlockE(long inChannels, InceptionPoolBranch pool) : base(nameof(InceptionBlockE))
    {
        this.pool = pool;
        branch1x1 = new InceptionConv(inChannels, 320, 1);
        branch3x3_1 = new InceptionConv(inChannels, 384, 1);
        branch3x3_2a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new InceptionConv(inChannels, 448, 1);
        branch3x3dbl_2 = new InceptionConv(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new InceptionConv(inChannels, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.call(x);
        var b3 = branch3x3_1.call(x);
        var b3dbl = branch3x3dbl_2.call(branch3x3dbl_1.call(x));
        var bPool = branch_pool.call(InceptionPooling.PoolBranch(x, pool));
        return cat([b1, branch3x3_2a.call(b3), branch3x3_2b.call(b3), branch3x3dbl_3a.call(b3dbl), branch3x3dbl_3b.call(b3dbl), bPool], 1)
            .MoveToOuterDisposeScope();
    }
}
