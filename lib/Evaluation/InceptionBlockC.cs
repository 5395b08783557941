using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Inception-v3 block C (Mixed_6b..6e; pytorch-fid's FIDInceptionC): 1x1, factorised 7x7, double factorised 7x7
/// and an average-pool branch that excludes padding. Field names are the PyTorch state-dict keys.
/// </summary>
sealed class InceptionBlockC : Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch7x7_1, branch7x7_2, branch7x7_3,
        branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;

    public InceptionBlockC(long inChannels, long channels7x7) : base(nameof(InceptionBlockC))
    {
        long c7 = channels7x7;
        branch1x1 = new InceptionConv(inChannels, 192, 1);
        branch7x7_1 = new InceptionConv(inChannels, c7, 1);
        branch7x7_2 = new InceptionConv(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new InceptionConv(c7, 192, (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new InceptionConv(inChannels, c7, 1);
        branch7x7dbl_2 = new InceptionConv(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new InceptionConv(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new InceptionConv(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new InceptionConv(c7, 192, (1, 7), padding: (0, 3));
        branch_pool = new InceptionConv(inChannels, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.call(x);
        var b7 = branch7x7_3.call(branch7x7_2.call(branch7x7_1.call(x)));
        var b7dbl = branch7x7dbl_1.call(x);
        foreach (var conv in new[] { branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5 }) b7dbl = conv.call(b7dbl);
        var bPool = branch_pool.call(InceptionPooling.PoolBranch(x, InceptionPoolBranch.AverageExcludingPadding));
        return cat([b1, b7, b7dbl, bPool], 1).MoveToOuterDisposeScope();
    }
}
