using System.Runtime.InteropServices;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop training at the next step boundary, where the trainer
/// writes the checkpoint of that step (<see cref="SoftDiffusion.Experiments.ProfileTraining.Train"/>); a second signal stops the
/// process at once (losing the steps since the last checkpoint).
/// </summary>
sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly PosixSignalRegistration? terminate;
    int received;

    public StopSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        try { terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate); }
        catch (PlatformNotSupportedException) { terminate = null; }
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The first signal received ("Ctrl-C" or "SIGTERM"), or null.</summary>
    public string? Signal { get; private set; }

    /// <summary>The shell's convention for a process ended by the signal: 128 + 2 (SIGINT) or 128 + 15 (SIGTERM).</summary>
    public int ExitCode => Signal == "SIGTERM" ? 143 : 130;

    void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = Request("Ctrl-C");

    void OnTerminate(PosixSignalContext context) => context.Cancel = Request("SIGTERM");

    // True: handled, training stops at the step boundary. False (the second signal): the runtime's default, which ends
    // the process now.
    bool Request(string name)
    {
        if (Interlocked.Increment(ref received) > 1)
        {
            Console.Error.WriteLine($"{Environment.NewLine}{name} again: stopping at once; the steps since the last checkpoint are lost.");
            return false;
        }
        Signal = name;
        Console.Error.WriteLine($"{Environment.NewLine}{name}: stopping after the current step and writing its checkpoint " +
            "(press Ctrl-C again to stop at once).");
        source.Cancel();
        return true;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        terminate?.Dispose();
        source.Dispose();
    }
}
