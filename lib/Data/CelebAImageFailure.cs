namespace SoftDiffusion.Data;

/// <summary>A CelebA image left out of the CelebA-64 cache (docs/method.md §8.1), with the reason.</summary>
/// <param name="FileName">The file name as listed in list_eval_partition.txt, e.g. "000123.jpg".</param>
/// <param name="Reason">Why it cannot be used: not found, not decodable, truncated, smaller than 140 x 140.</param>
public sealed record CelebAImageFailure(string FileName, string Reason);
