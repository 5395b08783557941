using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Models;

public class SigmaScaledResidualDenoiserTests
{
    // phi(x_t, t) = 2 x_t + t, so x0_hat = x_t + sigma_t (2 x_t + t) can be written out per sample.
    sealed class AffineNetwork() : nn.Module<Tensor, Tensor, Tensor>(nameof(AffineNetwork))
    {
        public override Tensor forward(Tensor xT, Tensor t) => 2 * xT + t.view(-1, 1, 1, 1);
    }

    sealed class WrongShapeNetwork() : nn.Module<Tensor, Tensor, Tensor>(nameof(WrongShapeNetwork))
    {
        public override Tensor forward(Tensor xT, Tensor t) => xT.mean([1], keepdim: true);
    }

    [Fact]
    public void ScalesTheNetworkOutputBySigmaOfEachSamplesTime()
    {
        using var scope = NewDisposeScope();
        var noise = new GeometricNoiseSchedule(0.01, 50);
        var denoiser = new SigmaScaledResidualDenoiser(new AffineNetwork(), noise);
        var xT = randn(3, 1, 4, 4, dtype: ScalarType.Float64);
        double[] times = [0.0, 0.5, 1.0];
        var x0Hat = denoiser.Denoise(xT, tensor(times, dtype: ScalarType.Float64));
        for (int b = 0; b < 3; b++)
        {
            double sigma = 0.01 * Math.Pow(5000, times[b]);   // sigma_t = sigma_min (sigma_max / sigma_min)^t
            var expected = xT[b] + sigma * (2 * xT[b] + times[b]);
            Assert.True(x0Hat[b].allclose(expected, rtol: 1e-12, atol: 1e-12), $"sample {b}, sigma {sigma}");
        }
    }

    [Fact]
    public void RejectsANetworkThatChangesTheShape()
    {
        var denoiser = new SigmaScaledResidualDenoiser(new WrongShapeNetwork(), new GeometricNoiseSchedule());
        var e = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(zeros(2, 3, 4, 4), zeros(2)));
        Assert.Contains("[2, 3, 4, 4]", e.Message);
        Assert.Contains("[2, 1, 4, 4]", e.Message);
    }
}
