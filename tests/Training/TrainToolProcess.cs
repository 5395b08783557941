using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SoftDiffusion.Tests.Training;

/// <summary>tools/Train (built beside the tests) running as a child process, with its output collected.</summary>
sealed class TrainToolProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    TrainToolProcess(Process process) => this.process = process;

    /// <summary>Starts <c>dotnet Train.dll arguments</c> with one intra-op thread.</summary>
    public static TrainToolProcess Start(string arguments)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "Train.dll");
        Assert.True(File.Exists(tool), $"Expected tools/Train built beside the tests at {tool}.");
        // A process started in the background of a script without job control (nohup ... &) inherits SIGINT ignored,
        // and .NET then never sees Ctrl-C; GNU env restores the default, so the test does not depend on how it was run.
        var (program, prefix) = OperatingSystem.IsLinux() ? ("env", "--default-signal=INT dotnet ") : ("dotnet", "");
        var start = new ProcessStartInfo(program, $"{prefix}\"{tool}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SOFT_DIFFUSION_THREADS"] = "1";
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        var child = new TrainToolProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet."));
        child.process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Everything written to standard output and error so far.</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <summary>Waits for the process to end; returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"tools/Train did not end within {timeout}. Output:\n{Output}");
        }
        process.WaitForExit();   // drains the output
        return process.ExitCode;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with the output after <paramref name="timeout"/>.</summary>
    public void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) Assert.Fail($"tools/Train ended (exit code {process.ExitCode}) before {what}. Output:\n{Output}");
            if (clock.Elapsed > timeout) Assert.Fail($"Waited {timeout} for {what}. Output:\n{Output}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Sends a POSIX signal (2: SIGINT as Ctrl-C sends it, 15: SIGTERM, 9: SIGKILL).</summary>
    public void Signal(int signal) => Assert.Equal(0, kill(process.Id, signal));

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
