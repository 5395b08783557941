namespace SoftDiffusion.Training;

/// <summary>Where a deterministic pass over the training data stands: the next batch is batch
/// <paramref name="Batch"/> of epoch <paramref name="Epoch"/> (both from 0). Saved in checkpoints to resume exactly.</summary>
public readonly record struct DataPosition(long Epoch, long Batch);
