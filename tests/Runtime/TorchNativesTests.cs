using SoftDiffusion.Runtime;
using static TorchSharp.torch;

namespace SoftDiffusion.Tests.Runtime;

public class TorchNativesTests
{
    [Fact]
    public void LoadsProjectNativesAndRunsConvolutionWithBackward()
    {
        TorchNatives.EnsureLoaded();
        Assert.NotNull(TorchNatives.LoadedFrom);
        Assert.Equal(Path.GetDirectoryName(typeof(TorchNatives).Assembly.Location), TorchNatives.LoadedFrom);

        var generator = new Generator(seed: 0);
        var x = randn(new long[] { 2, 3, 8, 8 }, generator: generator);
        var w = randn(new long[] { 4, 3, 3, 3 }, generator: generator).requires_grad_(true);
        var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 });
        y.sum().backward();

        Assert.Equal(new long[] { 2, 4, 8, 8 }, y.shape);
        // d(sum conv(x, w))/dw[o,c,i,j] = sum over batch and positions of the shifted input: independent of o.
        var g = w.grad!;
        Assert.True(g.select(0, 0).allclose(g.select(0, 3)));
        // Tap (2,2) of input channel 0 reads x[:, 0, i+1, j+1] for output positions i, j in 0..6 (zero padding elsewhere).
        var expected00 = x.select(1, 0).narrow(1, 1, 7).narrow(2, 1, 7).sum();
        Assert.Equal(expected00.item<float>(), g[0, 0, 2, 2].item<float>(), 3);
    }
}

public class NativeLoadErrorTests
{
    [Fact]
    public void ARefusedLibraryIsReportedWithTheLoadersReasonAndTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-a-library-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "this is not an ELF shared object");
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => TorchNatives.LoadExplained(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("system loader refused it", e.Message);
            // The loader's own words (glibc: "invalid ELF header" / "file too short") are quoted.
            Assert.Contains(e.InnerException!.Message.Trim(), e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MissingNativesAreReportedWithThePackageToReferenceAndTheCallToMake()
    {
        string message = TorchNatives.NotFoundMessage(["/nowhere/bin"]);
        Assert.Contains("/nowhere/bin", message);                                   // where it looked
        Assert.Contains("dotnet pack SoftDiffusion.Lib.csproj", message);            // how to make the package
        Assert.Contains("#r \"nuget: SoftDiffusion.Lib, <version>\"", message);     // how a notebook references it
        Assert.Contains("SoftDiffusion.Runtime.TorchNatives.EnsureLoaded()", message); // the call to make
        Assert.Contains("libtorch-cpu-", message);                                  // which natives the package brings
        Assert.Contains("SoftDiffusion.Lib.dll alone does not bring the natives", message);
    }
}
