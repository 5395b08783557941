using SoftDiffusion.Models;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

public class ResidualDenoiserTests
{
    /// <summary>A tiny phi(x_t, t): one 3x3 convolution plus t.</summary>
    sealed class TinyNetwork : nn.Module<Tensor, Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> conv = nn.Conv2d(2, 2, 3, padding: 1);

        public TinyNetwork() : base(nameof(TinyNetwork)) => RegisterComponents();

        public override Tensor forward(Tensor xT, Tensor t) => conv.call(xT) + t.view(-1, 1, 1, 1);
    }

    sealed class WrongShapeNetwork() : nn.Module<Tensor, Tensor, Tensor>(nameof(WrongShapeNetwork))
    {
        public override Tensor forward(Tensor xT, Tensor t) => xT.mean([1], keepdim: true);
    }

    [Fact]
    public void AddsTheNetworkOutputToXT()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var network = new TinyNetwork();
        var denoiser = new ResidualDenoiser(network);
        var xT = randn(3, 2, 5, 5);
        var t = tensor(new[] { 0.1f, 0.5f, 0.9f });
        var x0Hat = denoiser.Denoise(xT, t);
        Assert.True((x0Hat - xT).allclose(network.call(xT, t), atol: 1e-6));   // x0_hat - x_t = phi(x_t, t), float32
        Assert.Same(network, denoiser.Network);
    }

    [Fact]
    public void RejectsANetworkThatChangesTheShape()
    {
        using var scope = NewDisposeScope();
        var denoiser = new ResidualDenoiser(new WrongShapeNetwork());
        var e = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(zeros(2, 3, 4, 4), zeros(2)));
        Assert.Contains("[2, 3, 4, 4]", e.Message);
    }
}
