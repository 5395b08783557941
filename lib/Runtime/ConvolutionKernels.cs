using System.Runtime.InteropServices;

namespace SoftDiffusion.Runtime;

/// <summary>Which kernels compute libtorch's convolutions.</summary>
public enum ConvolutionKernel
{
    /// <summary>oneDNN with every instruction set the CPU has (libtorch's default on x86).</summary>
    OneDnn,

    /// <summary>oneDNN limited to SSE4.1 kernels (ONEDNN_MAX_CPU_ISA=SSE41).</summary>
    OneDnnSse41,

    /// <summary>ATen's own kernels (im2col and matrix products), oneDNN off.</summary>
    Aten,
}

/// <summary>
/// Which kernels compute convolutions, chosen once per process. On some of the 2-core AMD EPYC machines this workbook is
/// also built on (not on others with the same CPU model: it depends on the host), libtorch's oneDNN convolutions
/// (libtorch 2.10, oneDNN 3.7) sometimes return NaN from finite inputs and weights, in training and in sampling: a
/// cpu-profile training stopped with a NaN loss at step 20 with the AVX-512 kernels and at step 2 capped at AVX2, and
/// 18 to 26 of 30 fresh tiny U-Nets hit a NaN within 3 training steps.
/// Capped at SSE4.1, or with oneDNN off, none did. The cap costs less than turning oneDNN off (the cpu-profile training
/// step: 36 images/s with SSE4.1 kernels, 28 with ATen's, 117 with AVX-512, 2 threads of the idle machine), so AMD CPUs
/// get <see cref="ConvolutionKernel.OneDnnSse41"/> and other CPUs keep oneDNN's default. SOFT_DIFFUSION_ONEDNN=on|sse41|off
/// overrides the rule, as does an ONEDNN_MAX_CPU_ISA already in the environment; on an unaffected host "on" is about
/// 3.6 times faster (environment.md says how to check a host).
/// </summary>
public static class ConvolutionKernels
{
    /// <summary>The environment variable that overrides the rule: "on", "sse41" or "off".</summary>
    public const string Variable = "SOFT_DIFFUSION_ONEDNN";

    /// <summary>oneDNN's own cap on the instruction sets of its kernels, read when it creates its first kernel.</summary>
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The rule: SOFT_DIFFUSION_ONEDNN when set; else oneDNN as an ONEDNN_MAX_CPU_ISA in the environment caps it;
    /// else SSE4.1 kernels on an AMD CPU (vendor "AuthenticAMD"); else oneDNN's default. The reason says which.</summary>
    /// <param name="vendor">The CPU vendor (/proc/cpuinfo vendor_id), or null when unknown.</param>
    /// <param name="userSetting">SOFT_DIFFUSION_ONEDNN, or null.</param>
    /// <param name="isaSetting">ONEDNN_MAX_CPU_ISA, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="userSetting"/> is not on, sse41 or off.</exception>
    public static (ConvolutionKernel Kernel, string Reason) Choose(string? vendor, string? userSetting, string? isaSetting) => userSetting switch
    {
        "on" => (ConvolutionKernel.OneDnn, Variable),
        "sse41" => (ConvolutionKernel.OneDnnSse41, Variable),
        "off" => (ConvolutionKernel.Aten, Variable),
        null or "" when isaSetting is { Length: > 0 } => (ConvolutionKernel.OneDnn, $"{IsaVariable}={isaSetting} in the environment"),
        null or "" when vendor == "AuthenticAMD" => (ConvolutionKernel.OneDnnSse41, "AMD CPU"),
        null or "" => (ConvolutionKernel.OneDnn, vendor ?? "CPU vendor unknown"),
        _ => throw new ArgumentException($"{Variable} must be 'on', 'sse41' or 'off', got '{userSetting}'."),
    };

    /// <summary>Chooses the kernels for this machine and sets what must be set before libtorch loads (the SSE4.1 cap, in
    /// the environment oneDNN reads, which child processes inherit); pass the result to <see cref="Complete"/> once
    /// libtorch is loaded.</summary>
    /// <exception cref="ArgumentException">SOFT_DIFFUSION_ONEDNN is not on, sse41 or off.</exception>
    public static (ConvolutionKernel Kernel, string Reason) Prepare()
    {
        var choice = Choose(ReadCpuVendor(), Environment.GetEnvironmentVariable(Variable), Environment.GetEnvironmentVariable(IsaVariable));
        if (choice.Kernel == ConvolutionKernel.OneDnnSse41) ProcessEnvironment.Set(IsaVariable, "SSE41");
        return choice;
    }

    /// <summary>Finishes <see cref="Prepare"/> once libtorch is loaded, before the first convolution (turns oneDNN off for
    /// <see cref="ConvolutionKernel.Aten"/>). Returns the setting in force, e.g. "oneDNN capped at SSE4.1 (AMD CPU)".</summary>
    public static string Complete((ConvolutionKernel Kernel, string Reason) choice) => choice.Kernel switch
    {
        ConvolutionKernel.OneDnnSse41 => $"oneDNN capped at SSE4.1 ({choice.Reason})",
        ConvolutionKernel.Aten when SetOneDnn(false) => $"oneDNN off ({choice.Reason})",
        ConvolutionKernel.Aten => $"oneDNN on (wanted off, {choice.Reason}, but only a Linux libtorch can be switched)",
        _ => $"oneDNN on ({choice.Reason})",
    };

    /// <summary>Whether libtorch uses oneDNN (at::globalContext().userEnabledMkldnn()); null where it cannot be read.</summary>
    public static bool? OneDnnEnabled() =>
        Context() is var (library, context)
            ? Export<UserEnabledMkldnn>(library, "_ZNK2at7Context17userEnabledMkldnnEv")(context) != 0
            : null;

    // at::globalContext().setUserEnabledMkldnn(enabled) through libtorch_cpu's exported C++ symbols (Itanium ABI:
    // Linux); false where they cannot be reached.
    static bool SetOneDnn(bool enabled)
    {
        if (Context() is not var (library, context)) return false;
        Export<SetUserEnabledMkldnn>(library, "_ZN2at7Context20setUserEnabledMkldnnEb")(context, enabled);
        return OneDnnEnabled() == enabled;
    }

    static (IntPtr Library, IntPtr Context)? Context() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libtorch_cpu.so", out var library)
            ? (library, Export<GlobalContext>(library, "_ZN2at13globalContextEv")())
            : null;

    static T Export<T>(IntPtr library, string symbol) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, symbol));

    delegate IntPtr GlobalContext();
    delegate void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    delegate byte UserEnabledMkldnn(IntPtr context);

    /// <summary>The vendor of the first processor in /proc/cpuinfo (Linux); null elsewhere.</summary>
    static string? ReadCpuVendor()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("vendor_id", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
