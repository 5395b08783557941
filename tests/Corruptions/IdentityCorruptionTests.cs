using SoftDiffusion.Corruptions;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Corruptions;

public sealed class IdentityCorruptionTests
{
    [Fact]
    public void IdentityReturnsTheInputValuesInANewHandle()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 5);
        var y = new IdentityCorruption().Apply(x, tensor(new[] { 0.3f, 1f }));
        Assert.True(y.equal(x).all().item<bool>());
        Assert.NotSame(x, y);
    }
}
