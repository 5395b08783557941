namespace SoftDiffusion.Tests.Experiments;

/// <summary>Tests that set or read SOFT_DIFFUSION_RUNS (ProjectPaths.Runs) run one at a time, and apart from all other
/// tests: they also compare networks initialised from the process-wide generator, which a test running in parallel
/// would advance between the seed and the initialisation.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsFolderCollection
{
    public const string Name = "SOFT_DIFFUSION_RUNS";
}
