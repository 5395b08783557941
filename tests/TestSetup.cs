using System.Runtime.CompilerServices;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests;

/// <summary>Loads the project's TorchSharp natives once, before any test touches a tensor.</summary>
static class TestSetup
{
    [ModuleInitializer]
    internal static void LoadNatives()
    {
        TorchNatives.EnsureLoaded();
        TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
    }
}
