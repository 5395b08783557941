using SoftDiffusion.Workbook;

namespace SoftDiffusion.Tests.Workbook;

public class ProfileTests
{
    [Theory]
    [InlineData("smoke", ProfileName.Smoke)]
    [InlineData(" CPU ", ProfileName.Cpu)]
    [InlineData("Paper", ProfileName.Paper)]
    public void ParsesTheThreeProfiles(string text, ProfileName expected) => Assert.Equal(expected, Profile.Parse(text).Name);

    [Fact]
    public void AnUnknownProfileNamesTheChoicesAndTheVariable()
    {
        var e = Assert.Throws<ArgumentException>(() => Profile.Parse("fast"));
        Assert.Contains("'fast'", e.Message);
        Assert.Contains("smoke, cpu or paper", e.Message);
        Assert.Contains(Profile.EnvironmentVariable, e.Message);
    }

    [Fact]
    public void SmokeIsSmallerThanCpuWhichIsSmallerThanPaper()
    {
        Assert.True(Profile.Smoke.ImagesForStatistics < Profile.Cpu.ImagesForStatistics);
        Assert.True(Profile.Cpu.ImagesForStatistics < Profile.Paper.ImagesForStatistics);
    }
}
