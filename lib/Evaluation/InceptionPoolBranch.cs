namespace SoftDiffusion.Evaluation;

/// <summary>The pooling that feeds an Inception block's pool branch (pytorch-fid's FID variants of the blocks).</summary>
enum InceptionPoolBranch
{
    /// <summary>3 x 3 average, stride 1, padding 1, padding excluded from the average (count_include_pad = False).</summary>
    AverageExcludingPadding,

    /// <summary>3 x 3 max, stride 1, padding 1 (FIDInceptionE_2, i.e. Mixed_7c).</summary>
    Max,
}
