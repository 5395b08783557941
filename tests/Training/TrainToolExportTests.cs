using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

/// <summary>tools/Train's exports: the model file and the PyTorch state dict hold the same EMA network.</summary>
public sealed class TrainToolExportTests : IDisposable
{
    readonly string folder = TrainingFixtures.TemporaryDirectory();

    public void Dispose() => Directory.Delete(folder, recursive: true);

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
