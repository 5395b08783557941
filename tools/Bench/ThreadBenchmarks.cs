using System.Diagnostics;
using System.Globalization;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Workbook;

namespace SoftDiffusion.Bench;

/// <summary>
/// The training step (forward + backward + Adam of the cpu U-Net, batch 64) under each thread setting, on the idle
/// machine and with one competing busy process, in alternating blocks. OpenMP reads its wait policy once per process,
/// so every measurement is a child process (this program with "step"); the competitor is a thread of this process
/// that spins while the child runs. The policy's target: with the competitor, a step no slower than 2x the idle
/// one-thread step.
/// </summary>
static class ThreadBenchmarks
{
    const int WarmupSteps = 2;
    const int MaxSteps = 10;
    const double MaxSeconds = 25;

    sealed record Setting(string Name, Dictionary<string, string?> Environment);

    static readonly Setting[] Settings =
    [
        new("2 threads, libgomp's default spin (300,000)", Env(threads: "2", spin: "300000")),
        new("2 threads, OMP_WAIT_POLICY=PASSIVE (spin 0)", Env(threads: "2", passive: true)),
        new("2 threads, spin 1,000", Env(threads: "2", spin: "1000")),
        new($"2 threads, the policy's spin ({ThreadPolicy.SpinCount:N0})", Env(threads: "2")),
        new("1 thread", Env(threads: "1")),
        new("the policy (Workbook.Init's choice)", Env()),
    ];

    // Every variable the child reads is set or removed, so the shell's settings do not leak into a measurement.
    static Dictionary<string, string?> Env(string? threads = null, string? spin = null, bool passive = false) => new()
    {
        [ThreadPolicy.ThreadsVariable] = threads,
        ["GOMP_SPINCOUNT"] = spin,
        ["OMP_WAIT_POLICY"] = passive ? "PASSIVE" : null,
        ["OMP_NUM_THREADS"] = null,
    };

    /// <summary>The parent: <paramref name="blocks"/> blocks, each measuring every setting idle and then with the competitor.</summary>
    public static void Compare(int blocks)
    {
        Console.WriteLine($"Training step of the cpu U-Net (batch 64) per thread setting, idle and with one competing busy process, " +
            $"{blocks} alternating blocks; each cell is one child process: {WarmupSteps} warm-up steps, then the median of up to " +
            $"{MaxSteps} steps ({MaxSeconds:F0} s at most). Load average before: {LoadAverage()}.");
        var results = Settings.ToDictionary(s => s, _ => (Idle: new List<Measurement>(), Busy: new List<Measurement>()));
        for (int block = 1; block <= blocks; block++)
            foreach (var setting in Settings)
                foreach (bool busy in new[] { false, true })
                {
                    var measured = Measure(setting, busy);
                    (busy ? results[setting].Busy : results[setting].Idle).Add(measured);
                    Console.WriteLine($"  block {block}  {setting.Name,-46} {(busy ? "competitor" : "idle"),-10} {measured.Milliseconds,8:F0} ms/step  " +
                        $"({measured.Threads} threads: {measured.Reason})");
                }
        double idleOneThread = Median(results[Settings[^2]].Idle);
        Console.WriteLine();
        Console.WriteLine($"{"setting",-46} {"idle ms",8} {"busy ms",8} {"busy / idle 1 thread",21}");
        foreach (var setting in Settings)
        {
            double idle = Median(results[setting].Idle), loaded = Median(results[setting].Busy);
            Console.WriteLine($"{setting.Name,-46} {idle,8:F0} {loaded,8:F0} {loaded / idleOneThread,20:F2}x");
        }
        double policy = Median(results[Settings[^1]].Busy);
        Console.WriteLine($"=> with the competitor the policy's step is {policy / idleOneThread:F2}x the idle one-thread step (target <= 2x). " +
            $"Load average after: {LoadAverage()}.");
    }

    /// <summary>The child: Init as a notebook does, then timed steps; prints one line "RESULT ms threads reason".</summary>
    public static void Child()
    {
        var session = Workbook.Workbook.Init(Profile.Cpu);
        using var loop = new BareLoop(Profile.Cpu);
        loop.Run(WarmupSteps);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < MaxSteps && (times.Count < 2 || total.Elapsed.TotalSeconds < MaxSeconds))
        {
            var clock = Stopwatch.StartNew();
            loop.Run(1);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(FormattableString.Invariant($"RESULT {times[times.Count / 2]:F1} {session.Threads} {session.ThreadsReason}"));
    }

    sealed record Measurement(double Milliseconds, int Threads, string Reason);

    static Measurement Measure(Setting setting, bool busy)
    {
        using var competitor = busy ? new Spinner() : null;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(ThreadBenchmarks).Assembly.Location);
        start.ArgumentList.Add("step");
        foreach (var (name, value) in setting.Environment) start.Environment[name] = value;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the benchmark's child process.");
        var errors = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"The child for '{setting.Name}' failed (exit {child.ExitCode}):\n{output}\n{errors.Result}");
        string[] fields = line.Split(' ', 4);
        return new(double.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture), fields[3].Trim());
    }

    static double Median(List<Measurement> values) => Timing.Median(values.Select(v => v.Milliseconds));

    static string LoadAverage() => OperatingSystem.IsLinux() ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // One core kept busy by this process for as long as the child runs: the "other program" of a shared machine.
    sealed class Spinner : IDisposable
    {
        volatile bool stop;
        readonly Thread thread;

        public Spinner()
        {
            thread = new Thread(() =>
            {
                double x = 0;
                while (!stop) x = Math.Sqrt(x + 1);
                GC.KeepAlive(x);
            }) { IsBackground = true, Priority = ThreadPriority.Normal };
            thread.Start();
        }

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }
    }
}
