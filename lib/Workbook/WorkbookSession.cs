using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Workbook;

/// <summary>What <see cref="Workbook.Init"/> chose: the profile, the device, the seed, the threads and why, and the versions.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="Device">Where tensors go.</param>
/// <param name="Seed">Seed of torch's default generator.</param>
/// <param name="Threads">libtorch's intra-op threads.</param>
/// <param name="ThreadsReason">Why that many, and how OpenMP threads wait (<c>ThreadPolicy</c>).</param>
/// <param name="TorchSharpVersion">TorchSharp's package version.</param>
/// <param name="LibTorchVersion">libtorch's version.</param>
public sealed record WorkbookSession(Profile Profile, Device Device, long Seed, int Threads, string ThreadsReason, string TorchSharpVersion, string LibTorchVersion)
{
    /// <summary>One line printed as each notebook's first output.</summary>
    public string Summary =>
        $"Soft Diffusion workbook | profile {Profile.Name.ToString().ToLowerInvariant()}{(Profile.TrialSteps is { } steps ? $" (trial: {steps} steps per run)" : "")} | device {Device.type.ToString().ToLowerInvariant()} " +
        $"| threads {Threads} ({ThreadsReason}) | seed {Seed} | TorchSharp {TorchSharpVersion} | libtorch {LibTorchVersion} | .NET {Environment.Version}";
}
