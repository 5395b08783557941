namespace SoftDiffusion.Workbook;

/// <summary>Where <see cref="TrainingProgress"/> shows itself: a console line or a notebook display.</summary>
interface IProgressView
{
    /// <summary>Shows the latest numbers and the loss against step.</summary>
    void Show(ProgressSnapshot snapshot, Series lossCurve);

    /// <summary>Shows the final numbers and closes the view.</summary>
    void Finish(ProgressSnapshot snapshot, Series lossCurve);
}
