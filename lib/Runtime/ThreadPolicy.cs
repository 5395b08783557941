using System.Globalization;

namespace SoftDiffusion.Runtime;

/// <summary>The intra-op threads chosen for this process and why.</summary>
/// <param name="Threads">libtorch's intra-op threads.</param>
/// <param name="Reason">Why, in a few words ("SOFT_DIFFUSION_THREADS", "1 of 2 cores busy", ...).</param>
public sealed record ThreadChoice(int Threads, string Reason);

/// <summary>
/// How many threads libtorch uses, and how its OpenMP threads wait, on a machine that may be shared. libtorch's OpenMP
/// threads spin while they wait for each other; when another process holds one of the cores, a thread that spins waits
/// for one that is not running, and a training step on 2 threads of a 2-core machine was measured 30 times slower than
/// on the idle machine. Two rules prevent that: <see cref="Choose"/> takes only the cores that are free when the
/// session starts (measured from the system's CPU counters), and <see cref="ApplyOpenMpWaiting"/> shortens the spin, so
/// a competitor that starts later slows a step gracefully instead of stalling it. tools/Bench threads measures both.
/// </summary>
public static class ThreadPolicy
{
    /// <summary>The environment variable that fixes the number of intra-op threads (a positive whole number).</summary>
    public const string ThreadsVariable = "SOFT_DIFFUSION_THREADS";

    /// <summary>libgomp's spin count before a waiting thread sleeps, unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set
    /// already (libgomp's own default is 300,000 and 0 under OMP_WAIT_POLICY=PASSIVE) [choice: with tools/Bench threads,
    /// 1,000 kept the idle 2-thread step of 300,000 and, with a competitor, came within a few percent of PASSIVE; 10,000
    /// stalled almost as much as 300,000].</summary>
    public const long SpinCount = 1_000;

    /// <summary>How long <see cref="Choose"/> watches the CPU counters.</summary>
    public static readonly TimeSpan BusyWindow = TimeSpan.FromMilliseconds(250);

    /// <summary>Sets GOMP_SPINCOUNT to <see cref="SpinCount"/> in the process environment (where libgomp reads it when
    /// libtorch loads) unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT; call before the natives load.
    /// Returns the setting in force, e.g. "GOMP_SPINCOUNT=1000".</summary>
    public static string ApplyOpenMpWaiting()
    {
        foreach (string name in new[] { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) return $"{name}={value} (set by the user)";
        string spin = SpinCount.ToString(CultureInfo.InvariantCulture);
        ProcessEnvironment.Set("GOMP_SPINCOUNT", spin);
        return $"GOMP_SPINCOUNT={spin}";
    }

    /// <summary>The threads for this process: <paramref name="requested"/> when given, else SOFT_DIFFUSION_THREADS when
    /// set, else the cores not busy with other work over <see cref="BusyWindow"/> (at least 1; all cores where the
    /// counters cannot be read).</summary>
    /// <param name="requested">Threads asked for by the caller.</param>
    /// <exception cref="ArgumentException">SOFT_DIFFUSION_THREADS or <paramref name="requested"/> is not a positive whole number.</exception>
    public static ThreadChoice Choose(int? requested = null)
    {
        if (requested is { } asked)
            return asked >= 1 ? new(asked, "asked for") : throw new ArgumentException($"Expected at least 1 thread, got {asked}.", nameof(requested));
        switch (Environment.GetEnvironmentVariable(ThreadsVariable))
        {
            case null or "": break;
            case var text when int.TryParse(text, out int n) && n >= 1: return new(n, ThreadsVariable);
            case var text: throw new ArgumentException($"{ThreadsVariable} must be a positive whole number of threads, got '{text}'.");
        }
        int cores = Environment.ProcessorCount;
        if (BusyCores(BusyWindow) is not { } busy) return new(cores, "all cores");
        return FreeCores(cores, busy);
    }

    /// <summary>The rule of <see cref="Choose"/>: of <paramref name="cores"/>, those not busy, with a core counted busy
    /// from 0.5 of it in use on average (at least one thread).</summary>
    /// <param name="cores">Cores of the machine.</param>
    /// <param name="busyCores">Cores in use by other work, on average (0 .. cores).</param>
    public static ThreadChoice FreeCores(int cores, double busyCores)
    {
        int busy = Math.Clamp((int)Math.Round(busyCores, MidpointRounding.AwayFromZero), 0, cores);
        int free = Math.Max(1, cores - busy);
        return new(free, busy == 0 ? "all cores free" : $"{busy} of {cores} cores busy");
    }

    /// <summary>Cores in use on average over <paramref name="window"/>, from /proc/stat (Linux); null elsewhere.</summary>
    public static double? BusyCores(TimeSpan window)
    {
        if (!OperatingSystem.IsLinux() || ReadCpuTimes() is not { } before) return null;
        Thread.Sleep(window);
        if (ReadCpuTimes() is not { } after) return null;
        return BusyCores(before, after, Environment.ProcessorCount);
    }

    /// <summary>Cores in use between two readings of the first line of /proc/stat (user nice system idle iowait irq
    /// softirq steal ...): the busy share of the elapsed jiffies times the number of cores.</summary>
    public static double BusyCores((long Busy, long Total) before, (long Busy, long Total) after, int cores)
    {
        long total = after.Total - before.Total;
        return total <= 0 ? 0 : cores * (double)(after.Busy - before.Busy) / total;
    }

    /// <summary>Parses the "cpu" line of /proc/stat into (busy, total) jiffies; idle and iowait are the idle ones.</summary>
    /// <exception cref="FormatException">Not a "cpu" line with at least 4 numbers.</exception>
    public static (long Busy, long Total) ParseCpuLine(string line)
    {
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0] != "cpu")
            throw new FormatException($"Expected the 'cpu' line of /proc/stat with at least 4 counters, got '{line}'.");
        long[] values = fields[1..Math.Min(fields.Length, 9)].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        long idle = values[3] + (values.Length > 4 ? values[4] : 0);
        long total = values.Sum();
        return (total - idle, total);
    }

    static (long Busy, long Total)? ReadCpuTimes()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return reader.ReadLine() is { } line ? ParseCpuLine(line) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
