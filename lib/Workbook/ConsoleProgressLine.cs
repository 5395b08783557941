namespace SoftDiffusion.Workbook;

/// <summary>A single console line rewritten in place (carriage return); the loss curve is not drawn.</summary>
sealed class ConsoleProgressLine(TextWriter writer) : IProgressView
{
    int previousLength;

    public void Show(ProgressSnapshot snapshot, Series lossCurve)
    {
        string line = snapshot.ToLine();
        writer.Write("\r" + line.PadRight(previousLength));   // pad so a shorter line erases the longer one
        writer.Flush();
        previousLength = line.Length;
    }

    public void Finish(ProgressSnapshot snapshot, Series lossCurve)
    {
        Show(snapshot, lossCurve);
        writer.WriteLine();
    }
}
