namespace SoftDiffusion.Data;

/// <summary>
/// The official CelebA evaluation partition (list_eval_partition.txt: 0 = train, 1 = valid, 2 = test), used for the
/// CelebA-64 experiments of Soft Diffusion (docs/method.md §8.1).
/// </summary>
public enum CelebASplit
{
    /// <summary>Partition 0: 162,770 images (000001.jpg .. 162770.jpg).</summary>
    Train = 0,
    /// <summary>Partition 1: 19,867 images.</summary>
    Valid = 1,
    /// <summary>Partition 2: 19,962 images.</summary>
    Test = 2,
}
