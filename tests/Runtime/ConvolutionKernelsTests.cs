using System.Runtime.InteropServices;
using SoftDiffusion.Models;
using SoftDiffusion.Runtime;
using SoftDiffusion.Tests.Training;
using SoftDiffusion.Training;
using static SoftDiffusion.Runtime.ConvolutionKernels;

namespace SoftDiffusion.Tests.Runtime;

public sealed class ConvolutionKernelsTests
{
    [Fact]
    public void AnAmdCpuGetsSse41KernelsAndTheUsersChoiceAlwaysWins()
    {
        Assert.Equal((ConvolutionKernel.OneDnnSse41, "AMD CPU"), Choose("AuthenticAMD", null, null));
        Assert.Equal((ConvolutionKernel.OneDnn, "GenuineIntel"), Choose("GenuineIntel", "", null));
        Assert.Equal((ConvolutionKernel.OneDnn, "CPU vendor unknown"), Choose(null, null, ""));
        Assert.Equal((ConvolutionKernel.OneDnn, "ONEDNN_MAX_CPU_ISA=AVX2 in the environment"), Choose("AuthenticAMD", null, "AVX2"));
        Assert.Equal((ConvolutionKernel.OneDnn, Variable), Choose("AuthenticAMD", "on", null));
        Assert.Equal((ConvolutionKernel.OneDnnSse41, Variable), Choose("GenuineIntel", "sse41", "AVX2"));
        Assert.Equal((ConvolutionKernel.Aten, Variable), Choose("GenuineIntel", "off", null));
        var e = Assert.Throws<ArgumentException>(() => Choose("AuthenticAMD", "no", null));
        Assert.Equal($"{Variable} must be 'on', 'sse41' or 'off', got 'no'.", e.Message);
    }

    // What the session reports is what libtorch and oneDNN were given: oneDNN switched off, or the SSE4.1 cap in the
    // environment oneDNN reads (the C library's, not only .NET's copy).
    [Fact]
    public void LibtorchRunsWithTheKernelsTheSessionReports()
    {
        string reported = TorchNatives.Convolutions!;
        Assert.NotNull(reported);
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal(reported.StartsWith("oneDNN off (", StringComparison.Ordinal), OneDnnEnabled() == false);
        if (reported.StartsWith("oneDNN capped at SSE4.1 (", StringComparison.Ordinal))
            Assert.Equal("SSE41", Marshal.PtrToStringUTF8(GetEnvironment(IsaVariable)));
    }

    // The failure the rule prevents: on an AMD EPYC with oneDNN's AVX-512 kernels, 18 and 26 of these 30 runs stopped
    // with a NaN loss within 3 steps (a convolution returned NaN from finite inputs and weights); with SSE4.1 kernels
    // or oneDNN off, none did.
    [Fact]
    public void FreshNetworksTrainWithoutANonFiniteLoss()
    {
        var data = TrainingFixtures.Images(8);
        var failures = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            using var initial = new UNet(TrainingFixtures.Config);
            using var trainer = TrainingFixtures.Create(initial, data, TrainingFixtures.Options with { CheckpointEvery = 0 });
            try { trainer.Train(3); }
            catch (NonFiniteLossException e) { failures.Add($"network {i}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of 30 runs hit a non-finite loss ({TorchNatives.Convolutions}):\n{string.Join("\n", failures)}");
    }

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnvironment(string name);
}
