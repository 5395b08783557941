using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

/// <summary>tools/Train's switches of a profile run (--total-steps, --blocks-per-level, --loss-normalised) and its
/// exports: the model file and the PyTorch state dict holding the same EMA network.</summary>
public sealed class TrainToolExportTests : IDisposable
{
    readonly string folder = TrainingFixtures.TemporaryDirectory();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TotalStepsSetsTheBudgetAndARunResumesOnlyWithItsOwn()
    {
        string run = Path.Combine(folder, "run");
        using (var tool = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --total-steps 3 --steps 1 --sample-every 0"))
        {
            Assert.True(tool.WaitForExit(TimeSpan.FromMinutes(4)) == 0, tool.Output);
            Assert.Contains("3 steps in all", tool.Output);
            Assert.Contains("3 of 3 steps to go", tool.Output);
        }
        // The smoke profile keeps its rate constant, so only another seed changes its trajectory (a decaying profile's
        // other budget is refused the same way: TrainerTests).
        using (var other = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --total-steps 3 --seed 1 --sample-every 0"))
        {
            Assert.Equal(65, other.WaitForExit(TimeSpan.FromMinutes(4)));   // a message, not a stack trace
            Assert.DoesNotContain("Unhandled exception", other.Output);
            Assert.Contains("holds a run trained with other settings (Seed 0 there, 1 here)", other.Output);
        }
        using (var resumed = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --total-steps 3 --sample-every 0"))
        {
            Assert.True(resumed.WaitForExit(TimeSpan.FromMinutes(4)) == 0, resumed.Output);
            Assert.Contains("resumed at step 1), 2 of 3 steps to go", resumed.Output);
        }
        using var arm = TrainToolProcess.Start("--arm baseline --total-steps 5");
        Assert.Equal(64, arm.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Contains("--total-steps, --blocks-per-level, --loss-normalised and --optimiser change a profile run; a study arm and an ablation have their own.", arm.Output);
    }

    [Fact]
    public void BlocksPerLevelDeepensTheNetworkAndARunResumesOnlyWithItsOwn()
    {
        string run = Path.Combine(folder, "run"), model = Path.Combine(folder, "deeper.sdm");
        using (var tool = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --blocks-per-level 2 --steps 1 --sample-every 0 --export \"{model}\""))
            Assert.True(tool.WaitForExit(TimeSpan.FromMinutes(4)) == 0, tool.Output);
        using (var shipped = ShippedModel.Load(model, Path.Combine(folder, "scores")))
            Assert.Equal(Profile.Smoke.Network with { BlocksPerLevel = 2 }, shipped.Network.Config);
        using var other = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --steps 1 --sample-every 0");
        Assert.Equal(65, other.WaitForExit(TimeSpan.FromMinutes(4)));   // a message, not a stack trace
        Assert.DoesNotContain("Unhandled exception", other.Output);
        Assert.Contains("written for another configuration: checkpoint blocks per level 2, this model 1", other.Output);
    }

    [Fact]
    public void LossNormalisedTrainsWithTheNormaliserAndARunResumesOnlyWithIt()
    {
        string run = Path.Combine(folder, "run");
        using (var tool = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --loss-normalised --steps 1 --sample-every 0"))
            Assert.True(tool.WaitForExit(TimeSpan.FromMinutes(4)) == 0, tool.Output);
        Assert.True(new SoftDiffusion.Training.RunDirectory(run).ReadOptions().Training.NormaliseLossPerTime);
        using (var other = TrainToolProcess.Start($"--profile smoke --run \"{run}\" --steps 1 --sample-every 0"))
        {
            Assert.Equal(65, other.WaitForExit(TimeSpan.FromMinutes(4)));   // a message, not a stack trace
            Assert.DoesNotContain("Unhandled exception", other.Output);
            Assert.Contains("holds a run trained with other settings (NormaliseLossPerTime True there, False here)", other.Output);
        }
        using var ablation = TrainToolProcess.Start("--ablation --loss-normalised");
        Assert.Equal(64, ablation.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Contains("--loss-normalised and --optimiser change a profile run", ablation.Output);
    }

    [Fact]
    public void ThePyTorchStateDictHoldsTheWeightsOfTheExportedModel()
    {
        string model = Path.Combine(folder, "model.sdm"), stateDict = Path.Combine(folder, "unet.pth");
        using (var tool = TrainToolProcess.Start($"--profile smoke --run \"{Path.Combine(folder, "run")}\" --steps 2 --sample-every 0 " +
            $"--export \"{model}\" --export-pytorch \"{stateDict}\""))
        {
            Assert.True(tool.WaitForExit(TimeSpan.FromMinutes(4)) == 0, tool.Output);
            Assert.Contains($"EMA network of step 2 written to {stateDict} as a PyTorch state dict.", tool.Output);
        }
        using var shipped = ShippedModel.Load(model, Path.Combine(folder, "scores"));
        using var imported = new UNet(shipped.Network.Config);
        imported.ImportPyTorch(stateDict);
        var expected = shipped.Network.state_dict();
        foreach (var (key, value) in imported.state_dict())   // the model file keeps float16, the state dict float32
            Assert.True(value.to(ScalarType.Float16).to(expected[key].dtype).eq(expected[key]).all().item<bool>(), $"{key} differs between the model file and the state dict.");
    }
}
