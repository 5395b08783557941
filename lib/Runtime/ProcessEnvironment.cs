using System.Runtime.InteropServices;

namespace SoftDiffusion.Runtime;

/// <summary>The process environment as native libraries see it.</summary>
static class ProcessEnvironment
{
    /// <summary>Sets <paramref name="name"/> in .NET's environment (which child processes inherit) and, on Unix, in the C
    /// library's too: .NET keeps its own copy there, and native libraries (libgomp, oneDNN) read the C library's.</summary>
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) _ = SetEnvironment(name, value, 1);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnvironment(string name, string value, int overwrite);
}
