using SoftDiffusion.Corruptions;
using SoftDiffusion.Schedules;

namespace SoftDiffusion.Tests.Start;

/// <summary>The setting of the tests of the start distributions fitted to DCT coefficients: N images of H x W, a blur
/// whose sigma_B(1) = 2 px keeps a few coefficients, and noise far below the coefficients' spread.</summary>
static class DctStartFixture
{
    public const long H = 8, W = 8, N = 4000;

    /// <summary>sigma_1 = 0.001, far below the coefficients' spread.</summary>
    public static readonly GeometricNoiseSchedule QuietNoise = new(0.0005, 0.001);

    /// <summary>sigma_B(1) = 2 px.</summary>
    public static readonly BlurCorruption Blur = new(new BlurSchedule([0.5, 2.0]));
}
