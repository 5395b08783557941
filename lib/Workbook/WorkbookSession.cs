using SoftDiffusion.Experiments;
using static TorchSharp.torch;

namespace SoftDiffusion.Workbook;

/// <summary>What <see cref="Workbook.Init"/> chose: the profile, the device, the seed and the versions.</summary>
public sealed record WorkbookSession(Profile Profile, Device Device, long Seed, int Threads, string TorchSharpVersion, string LibTorchVersion)
{
    /// <summary>One line printed as each notebook's first output.</summary>
    public string Summary =>
        $"Soft Diffusion workbook | profile {Profile.Name.ToString().ToLowerInvariant()} | device {Device.type.ToString().ToLowerInvariant()} " +
        $"| threads {Threads} | seed {Seed} | TorchSharp {TorchSharpVersion} | libtorch {LibTorchVersion} | .NET {Environment.Version}";
}
