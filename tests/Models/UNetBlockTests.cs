using SoftDiffusion.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SoftDiffusion.Tests.Models;

/// <summary>
/// The U-Net's blocks against their formulas written out with plain tensor operations from the blocks' own weights, in
/// float64: the output and the gradients (of the input and of weights) must agree to round-off. The blocks use a fused
/// attention kernel and in-place additions; these tests fail if either changes the function or breaks autograd.
/// </summary>
public sealed class UNetBlockTests
{
    const double Tolerance = 1e-10;

    [Fact]
    public void AttentionBlockIsSoftmaxAttentionWithAScaledResidual()
    {
        const int channels = 8, groups = 2;   // UNetLayers.Norm: min(C / 4, 32) groups
        using var block = new AttentionBlock(channels);
        block.to(float64);
        Randomise(block, seed: 11);
        var p = Parameters(block);
        using var x = randn([3, channels, 5, 4], float64, generator: new Generator(12)).requires_grad_();
        using var probe = randn([3, channels, 5, 4], float64, generator: new Generator(13));

        Tensor Reference(Tensor input)
        {
            long b = input.shape[0], n = input.shape[2] * input.shape[3];
            var normed = functional.group_norm(input, groups, p["norm.weight"], p["norm.bias"], 1e-6);
            var qkv = functional.conv2d(normed, p["qkv.weight"], p["qkv.bias"]).reshape(b, 3 * channels, n);
            var (q, k, v) = (qkv[.., ..channels], qkv[.., channels..(2 * channels)], qkv[.., (2 * channels)..]);
            var weights = softmax(einsum("bci,bcj->bij", q, k) / Math.Sqrt(channels), -1);   // w_ij
            var attended = einsum("bij,bcj->bci", weights, v).reshape(input.shape);          // sum_j w_ij v_j
            var h = functional.conv2d(attended, p["output.weight"], p["output.bias"]);
            return (input + h) / Math.Sqrt(2);
        }

        AssertSameFunctionAndGradients(block.forward, Reference, x, probe, p, ["qkv.weight", "norm.weight", "output.bias"]);
    }

    [Theory]
    [InlineData(6, 8)]   // the skip is a 1x1 conv
    [InlineData(8, 8)]   // the skip is the identity
    public void ResidualBlockIsTheDdppmBlockWithAScaledSkip(int inChannels, int outChannels)
    {
        const int embeddingDim = 16;
        using var block = new ResidualBlock(inChannels, outChannels, embeddingDim, dropoutProbability: 0);
        block.to(float64);
        Randomise(block, seed: 21);
        var p = Parameters(block);
        using var x = randn([3, inChannels, 6, 5], float64, generator: new Generator(22)).requires_grad_();
        using var embedding = randn([3, embeddingDim], float64, generator: new Generator(23));
        using var probe = randn([3, outChannels, 6, 5], float64, generator: new Generator(24));
        int Groups(int c) => c / 4;   // UNetLayers.Norm for these channel counts

        Tensor Reference(Tensor input)
        {
            var h = functional.conv2d(functional.silu(functional.group_norm(input, Groups(inChannels), p["norm0.weight"], p["norm0.bias"], 1e-6)),
                p["conv0.weight"], p["conv0.bias"], padding: [1, 1]);
            var projected = functional.linear(functional.silu(embedding), p["timeProjection.weight"], p["timeProjection.bias"]);
            h = h + projected[.., .., TensorIndex.None, TensorIndex.None];
            h = functional.conv2d(functional.silu(functional.group_norm(h, Groups(outChannels), p["norm1.weight"], p["norm1.bias"], 1e-6)),
                p["conv1.weight"], p["conv1.bias"], padding: [1, 1]);
            var skip = inChannels == outChannels ? input : functional.conv2d(input, p["skip.weight"], p["skip.bias"]);
            return (skip + h) / Math.Sqrt(2);
        }

        AssertSameFunctionAndGradients(input => block.forward(input, embedding), Reference, x, probe, p,
            ["conv0.weight", "timeProjection.weight", "norm1.bias", "conv1.weight"]);
    }

    // Output and the gradients of <probe, f(x)> with respect to x and the named weights, block against reference.
    static void AssertSameFunctionAndGradients(Func<Tensor, Tensor> block, Func<Tensor, Tensor> reference, Tensor x, Tensor probe,
        Dictionary<string, Tensor> weights, string[] checkedWeights)
    {
        var outputs = new List<Tensor>();
        var gradients = new List<IList<Tensor>>();
        foreach (var f in new[] { block, reference })
        {
            var output = f(x);
            var wanted = checkedWeights.Select(name => weights[name]).Prepend(x).ToArray();
            gradients.Add(autograd.grad([(output * probe).sum()], wanted));
            outputs.Add(output.detach());
        }
        Assert.True(outputs[0].allclose(outputs[1], rtol: 0, atol: Tolerance),
            $"outputs differ by up to {(outputs[0] - outputs[1]).abs().max().item<double>():E2}");
        string[] names = ["x", .. checkedWeights];
        for (int i = 0; i < names.Length; i++)
        {
            double difference = (gradients[0][i] - gradients[1][i]).abs().max().item<double>();
            Assert.True(difference < Tolerance, $"the gradient of {names[i]} differs by up to {difference:E2}");
            Assert.True(gradients[0][i].abs().max().item<double>() > 1e-3, $"the gradient of {names[i]} is zero: the check says nothing");
        }
    }

    // Every weight drawn at random (the norms start at 1 and 0, which would hide a mix-up of weight and bias).
    static void Randomise(Module module, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(0.5 * randn(parameter.shape, float64, generator: generator));
    }

    static Dictionary<string, Tensor> Parameters(Module module) =>
        module.named_parameters().ToDictionary(np => np.name, np => (Tensor)np.parameter);
}
