using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>The pooling operations of Inception-v3's blocks, as pytorch-fid's FID Inception applies them.</summary>
static class InceptionPooling
{
    /// <summary>The 3 x 3, stride 1, padding 1 pool of a pool branch.</summary>
    public static Tensor PoolBranch(Tensor x, InceptionPoolBranch kind) => kind switch
    {
        InceptionPoolBranch.AverageExcludingPadding =>
            functional.avg_pool2d(x, [3, 3], [1, 1], [1, 1], ceil_mode: false, count_include_pad: false),
        InceptionPoolBranch.Max => functional.max_pool2d(x, [3, 3], [1, 1], [1, 1]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown pool branch."),
    };

    /// <summary>3 x 3 max pool with stride 2, no padding (the stem and the grid-reduction blocks 6a, 7a).</summary>
    public static Tensor Reduce(Tensor x) => functional.max_pool2d(x, [3, 3], [2, 2]);
}
