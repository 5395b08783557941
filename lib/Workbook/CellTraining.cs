using SoftDiffusion.Experiments;

namespace SoftDiffusion.Workbook;

/// <summary>
/// Training inside a notebook cell (notebooks 04-07): a live progress display (<see cref="TrainingProgress"/>), and the
/// kernel's interrupt stops the run at the next step with a checkpoint of that step, then ends the cell.
/// </summary>
public static class CellTraining
{
    /// <summary>Trains <paramref name="steps"/> more steps of <paramref name="training"/> (default: its remaining steps;
    /// nothing when it is complete) and returns the progress record of this session (steps trained, loss curve, loss
    /// against t).</summary>
    /// <exception cref="OperationCanceledException">The cell was interrupted: thrown after the checkpoint is written, with
    /// <see cref="ProfileTraining.StoppedMessage"/>, so the rest of the interrupted cell does not run.</exception>
    public static TrainingProgress Train(ProfileTraining training, long? steps = null)
    {
        long toTrain = Math.Max(0, steps ?? training.RemainingSteps);
        var progress = new TrainingProgress(training.Trainer.Step, training.Trainer.Step + toTrain);
        if (toTrain == 0) return progress;
        var token = KernelCancellation.ForCurrentCell();
        long done = training.Train(toTrain, progress.Report, token);
        progress.Finish();
        if (done < toTrain)
        {
            Console.WriteLine(training.StoppedMessage());
            throw new OperationCanceledException(training.StoppedMessage(), token);
        }
        return progress;
    }
}
