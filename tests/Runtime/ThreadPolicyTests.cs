using System.Runtime.InteropServices;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests.Runtime;

public class ThreadPolicyTests
{
    [Fact]
    public void ParsesTheCpuLineOfProcStatIntoBusyAndTotalJiffies()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already inside user.
        var (busy, total) = ThreadPolicy.ParseCpuLine("cpu  100 5 20 800 50 3 2 1 40 0");
        Assert.Equal((100L + 5 + 20 + 3 + 2 + 1, 100L + 5 + 20 + 800 + 50 + 3 + 2 + 1), (busy, total));
        Assert.Equal((3L, 10L), ThreadPolicy.ParseCpuLine("cpu 1 1 1 7"));   // old kernels: four counters
        var e = Assert.Throws<FormatException>(() => ThreadPolicy.ParseCpuLine("cpu0 1 2 3 4"));
        Assert.Contains("'cpu0 1 2 3 4'", e.Message);
        Assert.Throws<FormatException>(() => ThreadPolicy.ParseCpuLine("cpu 1 2"));
    }

    [Fact]
    public void BusyCoresAreTheBusyShareOfTheElapsedJiffiesTimesTheCores()
    {
        Assert.Equal(1.0, ThreadPolicy.BusyCores((1000, 4000), (1100, 4200), cores: 2), 12);   // half the jiffies busy on 2 cores
        Assert.Equal(0.0, ThreadPolicy.BusyCores((1000, 4000), (1000, 4000), cores: 2));        // no time elapsed
        double measured = ThreadPolicy.BusyCores(TimeSpan.FromMilliseconds(50)) ?? 0;
        Assert.InRange(measured, 0, Environment.ProcessorCount + 1e-9);
    }

    [Theory]
    [InlineData(2, 0.0, 2, "all cores free")]
    [InlineData(2, 0.4, 2, "all cores free")]
    [InlineData(2, 0.5, 1, "1 of 2 cores busy")]
    [InlineData(2, 1.0, 1, "1 of 2 cores busy")]
    [InlineData(2, 2.0, 1, "2 of 2 cores busy")]   // never fewer than one thread
    [InlineData(8, 3.2, 5, "3 of 8 cores busy")]
    public void TakesTheCoresThatAreNotBusy(int cores, double busy, int threads, string reason) =>
        Assert.Equal(new ThreadChoice(threads, reason), ThreadPolicy.FreeCores(cores, busy));

    [Fact]
    public void TheVariableAndTheCallerOverrideTheMeasurementAndBadCountsAreNamed()
    {
        string? saved = Environment.GetEnvironmentVariable(ThreadPolicy.ThreadsVariable);
        try
        {
            Environment.SetEnvironmentVariable(ThreadPolicy.ThreadsVariable, "3");
            Assert.Equal(new ThreadChoice(3, ThreadPolicy.ThreadsVariable), ThreadPolicy.Choose());
            Assert.Equal(new ThreadChoice(1, "asked for"), ThreadPolicy.Choose(1));
            Environment.SetEnvironmentVariable(ThreadPolicy.ThreadsVariable, "many");
            var e = Assert.Throws<ArgumentException>(() => ThreadPolicy.Choose());
            Assert.Contains($"{ThreadPolicy.ThreadsVariable} must be a positive whole number of threads, got 'many'", e.Message);
            Assert.Throws<ArgumentException>(() => ThreadPolicy.Choose(0));
            Environment.SetEnvironmentVariable(ThreadPolicy.ThreadsVariable, null);
            Assert.InRange(ThreadPolicy.Choose().Threads, 1, Environment.ProcessorCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ThreadPolicy.ThreadsVariable, saved);
        }
    }

    [Fact]
    public void TheSpinCountReachesTheCLibraryEnvironmentUnlessTheUserSetOne()
    {
        string? savedSpin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        string? savedPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        try
        {
            Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", null);
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
            Assert.Equal("OMP_WAIT_POLICY=PASSIVE (set by the user)", ThreadPolicy.ApplyOpenMpWaiting());
            Assert.Null(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"));

            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", null);
            Assert.Equal($"GOMP_SPINCOUNT={ThreadPolicy.SpinCount}", ThreadPolicy.ApplyOpenMpWaiting());
            Assert.Equal(ThreadPolicy.SpinCount.ToString(), Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"));
            // libgomp reads the C library's environment, which .NET does not update on Unix by itself.
            if (!OperatingSystem.IsWindows()) Assert.Equal(ThreadPolicy.SpinCount.ToString(), Marshal.PtrToStringAnsi(GetEnvironment("GOMP_SPINCOUNT")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", savedSpin);
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", savedPolicy);
        }
    }

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnvironment(string name);
}
