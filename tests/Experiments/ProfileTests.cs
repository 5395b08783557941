using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using SoftDiffusion.Training;

namespace SoftDiffusion.Tests.Experiments;

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
    public void TheEnvironmentSelectsPaperOnlyWhenAskedEvenWithCuda()
    {
        string? saved = Environment.GetEnvironmentVariable(Profile.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, null);
            Assert.Equal(ProfileName.Cpu, Profile.FromEnvironment(cudaAvailable: true).Name);    // a GPU alone never starts 1.3 M steps
            Assert.Equal(ProfileName.Cpu, Profile.FromEnvironment(cudaAvailable: false).Name);
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, "paper");
            Assert.Equal(ProfileName.Paper, Profile.FromEnvironment(cudaAvailable: true).Name);
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, "smoke");
            Assert.Equal(ProfileName.Smoke, Profile.FromEnvironment(cudaAvailable: true).Name);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void SmokeIsSmallerThanCpuWhichIsSmallerThanPaper()
    {
        Assert.True(Profile.Smoke.ImagesForStatistics < Profile.Cpu.ImagesForStatistics);
        Assert.True(Profile.Cpu.ImagesForStatistics < Profile.Paper.ImagesForStatistics);
    }

    [Fact]
    public void SmokeTrainsLessThanCpu()
    {
        using var smokeNetwork = new UNet(Profile.Smoke.Network);
        using var cpuNetwork = new UNet(Profile.Cpu.Network);
        Assert.True(smokeNetwork.ParameterCount() < cpuNetwork.ParameterCount());
        Assert.True(Profile.Smoke.TrainingSteps < Profile.Cpu.TrainingSteps);
        Assert.True(Profile.Smoke.Training.BatchSize < Profile.Cpu.Training.BatchSize);
        Assert.True(Profile.Smoke.TrainingImages < (Profile.Cpu.TrainingImages ?? int.MaxValue));
        Assert.True(Profile.Smoke.SamplerSteps < Profile.Cpu.SamplerSteps);
        Assert.True(Profile.Smoke.SampleEvery <= Profile.Smoke.TrainingSteps, "smoke writes a grid during training");
        Assert.Equal(UNetConfig.Cpu(1), Profile.Cpu.Network);
        Assert.Equal(TrainingOptions.Cpu with { DecaySteps = Profile.Cpu.TrainingSteps }, Profile.Cpu.Training);   // cosine over the whole run
    }

    [Fact]
    public void EvaluationSettingsGrowFromSmokeToPaperAndTheCpuScoresAreNotSingular()
    {
        foreach (var profile in new[] { Profile.Smoke, Profile.Cpu, Profile.Paper })
        {
            Assert.True(profile.NfeSweep.Zip(profile.NfeSweep.Skip(1)).All(p => p.First < p.Second), $"{profile.Name}: NFE sweep increasing");
            Assert.Contains(profile.ComparisonNfe, profile.NfeSweep);   // notebook 05 reuses a score of notebook 07
            Assert.True(profile.AblationSteps <= profile.TrainingSteps);
        }
        Assert.True(Profile.Smoke.EvaluationSamples < Profile.Cpu.EvaluationSamples);
        Assert.True(Profile.Cpu.EvaluationSamples > 128, "more samples than the classifier's 128 features");
        Assert.Equal(50_000, Profile.Paper.EvaluationSamples);
        Assert.True(Profile.Cpu.NfeSweep[0] <= 10 && Profile.Cpu.NfeSweep[^1] >= 200, "the issue asks for NFE 10 to 200 or more");
    }
}
