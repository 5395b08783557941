using SoftDiffusion.Data;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Bench;

/// <summary>zero_grad, MSE of the network output against a fixed target, backward, Adam: nothing but the profile's
/// network and optimizer on a batch of its shape (random tensors, no data).</summary>
sealed class BareLoop : IDisposable
{
    readonly UNet network;
    readonly optim.Optimizer optimizer;
    readonly Tensor x, t, target;

    public BareLoop(Profile profile)
    {
        network = new UNet(profile.Network);
        network.train();
        optimizer = optim.Adam(network.parameters(), profile.Training.LearningRate);
        long[] shape = [profile.Training.BatchSize, profile.Network.ImageChannels, FashionMnist.Size, FashionMnist.Size];
        x = randn(shape, generator: new Generator(5));
        t = rand([shape[0]], generator: new Generator(6));
        target = randn(shape, generator: new Generator(7));
    }

    public void Run(int steps)
    {
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = (network.forward(x, t) - target).square().mean();
            loss.backward();
            optimizer.step();
        }
    }

    public void Dispose()
    {
        optimizer.Dispose();
        network.Dispose();
        x.Dispose();
        t.Dispose();
        target.Dispose();
    }
}
