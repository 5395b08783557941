using SoftDiffusion.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Training;

public sealed class GradientClippingTests
{
    // A Linear(3, 2) with gradient 3 on every weight (6 entries) and 4 on both biases: ||g|| = sqrt(6*9 + 2*16) = sqrt(86).
    static Linear WithKnownGradient(double scale)
    {
        var layer = nn.Linear(3, 2);
        var loss = (layer.weight! * 3 * scale).sum() + (layer.bias! * 4 * scale).sum();
        loss.backward();
        return layer;
    }

    [Fact]
    public void LargeGradientsAreScaledToTheMaximumNorm()
    {
        using var layer = WithKnownGradient(1);

        double before = GradientClipping.ClipByGlobalNorm(layer.parameters(), maxNorm: 1.0);

        Assert.Equal(Math.Sqrt(86), before, 1e-5);   // float32 norm of values of order 1
        var weightGrad = layer.weight!.grad!;
        var biasGrad = layer.bias!.grad!;
        double after = Math.Sqrt(weightGrad.square().sum().item<float>() + biasGrad.square().sum().item<float>());
        Assert.Equal(1.0, after, 1e-5);
        // Direction kept: every entry scaled by 1 / sqrt(86) (PyTorch adds 1e-6 to the norm: relative error 1e-7).
        Assert.True(weightGrad.allclose(full_like(weightGrad, 3 / Math.Sqrt(86)), rtol: 1e-5, atol: 0));
        Assert.True(biasGrad.allclose(full_like(biasGrad, 4 / Math.Sqrt(86)), rtol: 1e-5, atol: 0));
    }

    [Fact]
    public void SmallGradientsAreUnchanged()
    {
        using var layer = WithKnownGradient(0.01);   // ||g|| = 0.01 sqrt(86) < 1

        GradientClipping.ClipByGlobalNorm(layer.parameters(), maxNorm: 1.0);

        Assert.True(layer.weight!.grad!.allclose(full_like(layer.weight!, 0.03), rtol: 1e-6, atol: 0));
        Assert.True(layer.bias!.grad!.allclose(full_like(layer.bias!, 0.04), rtol: 1e-6, atol: 0));
    }
}
