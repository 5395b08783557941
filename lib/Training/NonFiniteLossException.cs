namespace SoftDiffusion.Training;

/// <summary>Training stopped because the loss became NaN or infinite; the weights were not updated with it and the
/// last checkpoint on disk is the last good one.</summary>
public sealed class NonFiniteLossException(long step, double loss)
    : Exception($"Training stopped: the loss of step {step} is {loss} (not finite). The weights were not updated; the last checkpoint written before it is intact.")
{
    /// <summary>The update number whose loss was not finite.</summary>
    public long Step { get; } = step;

    /// <summary>The loss value (NaN or +-infinity).</summary>
    public double Loss { get; } = loss;
}
