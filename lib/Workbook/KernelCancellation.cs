using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;

namespace SoftDiffusion.Workbook;

/// <summary>
/// The cancellation token of the notebook cell that is running: the kernel's interrupt (the stop button of VS Code's
/// Polyglot Notebooks, "Interrupt" in Jupyter) cancels <c>KernelInvocationContext.Current.CancellationToken</c>. It
/// cannot abort running code, so long loops (training) check it. Microsoft.DotNet.Interactive is a compile-time
/// reference; the kernel's types are touched only inside a host (<see cref="NotebookFormatters.InHost"/>), which
/// supplies the assembly at run time.
/// </summary>
public static class KernelCancellation
{
    /// <summary>The running cell's token, or <see cref="CancellationToken.None"/> outside a notebook host or cell
    /// (e.g. in tools/Train, in tests, or on a background thread of a cell).</summary>
    public static CancellationToken ForCurrentCell() => NotebookFormatters.InHost ? CellToken() : CancellationToken.None;

    // Kept out of line so the JIT loads the kernel's assembly only when this runs, i.e. inside a host.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static CancellationToken CellToken() => KernelInvocationContext.Current?.CancellationToken ?? CancellationToken.None;
}
