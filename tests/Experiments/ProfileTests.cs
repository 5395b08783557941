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

    [Fact]
    public void ATrialKeepsTheNetworkAndDataButShrinksEveryCount()
    {
        var trial = Profile.Paper.Trial(3);
        Assert.Equal((ProfileName.Paper, 3, "paper-trial"), (trial.Name, trial.TrialSteps, trial.FolderName));
        Assert.Equal(Profile.Paper.Network, trial.Network);
        Assert.Equal((3L, 3, 8), (trial.TrainingSteps, trial.AblationSteps, trial.Training.BatchSize));
        Assert.Equal(3, trial.Training.WarmupSteps);
        Assert.Equal((Profile.Smoke.EvaluationSamples, Profile.Smoke.ComparisonNfe, Profile.Smoke.ImagesForStatistics),
            (trial.EvaluationSamples, trial.ComparisonNfe, trial.ImagesForStatistics));
        Assert.Equal((4, 4), (trial.ImagesShown, trial.SamplerSteps));   // grids cheaper than the smoke profile's
        Assert.Equal(Profile.Smoke.NfeSweep, trial.NfeSweep);
        Assert.Equal(3, Profile.Cpu.Trial(3).Training.DecaySteps);   // the cosine decay ends with the trial
        var smallBatch = Profile.Smoke with { Training = Profile.Smoke.Training with { BatchSize = 4 } };
        Assert.Equal(4, smallBatch.Trial(3).Training.BatchSize);   // never larger than the profile's
        Assert.Equal(("paper", (int?)null), (Profile.Paper.FolderName, Profile.Paper.TrialSteps));
        Assert.Throws<ArgumentOutOfRangeException>(() => Profile.Paper.Trial(0));
    }

    [Fact]
    public void AnotherBudgetEndsTheDecayWithItsRunAndGetsItsOwnFolder()
    {
        var longer = Profile.Cpu.WithTrainingSteps(9000);
        Assert.Equal((9000L, 9000L), (longer.TrainingSteps, longer.Training.DecaySteps));
        Assert.Equal(Profile.Cpu.Training with { DecaySteps = 9000 }, longer.Training);   // nothing else changes
        Assert.Equal(0L, Profile.Paper.WithTrainingSteps(10).Training.DecaySteps);     // a constant rate stays constant
        Assert.True(Profile.Cpu.IsStandardBudget);
        Assert.False(longer.IsStandardBudget);
        Assert.True(Profile.Cpu.WithTrainingSteps(Profile.CpuTrainingSteps).IsStandardBudget);
        Assert.True(Profile.Cpu.Trial(3).IsStandardBudget);   // a trial has its own folder already
        string runs = SoftDiffusion.Runtime.ProjectPaths.Runs;
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu"), ProfileTraining.DefaultRunDirectory(Profile.Cpu));
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu-9000steps"), ProfileTraining.DefaultRunDirectory(longer));
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu-9000steps-seed1"),
            ProfileTraining.DefaultRunDirectory(longer with { Training = longer.Training with { Seed = 1 } }));
        var deeper = Profile.Cpu.WithBlocksPerLevel(3);
        Assert.Equal(Profile.Cpu.Network with { BlocksPerLevel = 3 }, deeper.Network);
        Assert.Equal(Profile.Cpu with { Network = deeper.Network }, deeper);   // nothing else changes
        Assert.True(Profile.Cpu.IsStandardNetwork);
        Assert.False(deeper.IsStandardNetwork);
        Assert.True(Profile.Cpu.WithBlocksPerLevel(Profile.Cpu.Network.BlocksPerLevel).IsStandardNetwork);
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu-blocks3"), ProfileTraining.DefaultRunDirectory(deeper));
        Assert.Contains("at least 1 residual block", Assert.Throws<ArgumentOutOfRangeException>(() => Profile.Cpu.WithBlocksPerLevel(0)).Message);
        var normalised = Profile.Cpu.WithLossNormalisedPerTime();
        Assert.Equal(Profile.Cpu.Training with { NormaliseLossPerTime = true }, normalised.Training);
        Assert.Equal(Profile.Cpu with { Training = normalised.Training }, normalised);   // nothing else changes
        Assert.True(Profile.Cpu.IsStandardLossWeighting);
        Assert.False(normalised.IsStandardLossWeighting);
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu-blocks3-loss-normalised"),
            ProfileTraining.DefaultRunDirectory(deeper.WithLossNormalisedPerTime()));
        var optimiser = Profile.Cpu.WithStudyOptimiser();   // the study's optimiser arm at the cpu budget: the same 288,000 images
        Assert.Equal(Profile.Cpu.TrainingSteps / 2, optimiser.TrainingSteps);
        Assert.Equal(Profile.Cpu.Training with
        {
            LearningRate = 2e-3, AdamBeta2 = 0.99, BatchSize = 128, DecaySteps = 2250, EmaHalfLife = 225,
        }, optimiser.Training);
        Assert.Equal(Profile.Cpu.TrainingSteps * Profile.Cpu.Training.BatchSize, optimiser.TrainingSteps * optimiser.Training.BatchSize);
        Assert.True(Profile.Cpu.IsStandardOptimiser);
        Assert.False(optimiser.IsStandardOptimiser);
        Assert.Equal(Path.Combine(runs, "fashion-blur-cpu-2250steps-optimiser"), ProfileTraining.DefaultRunDirectory(optimiser));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Profile.Cpu.WithTrainingSteps(0));
        Assert.Contains("at least 1 step", e.Message);
    }

    [Fact]
    public void TheTrialVariableMakesATrialAndRejectsWhatIsNotAStepCount()
    {
        string? savedProfile = Environment.GetEnvironmentVariable(Profile.EnvironmentVariable);
        string? savedTrial = Environment.GetEnvironmentVariable(Profile.TrialStepsVariable);
        try
        {
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, "paper");
            Environment.SetEnvironmentVariable(Profile.TrialStepsVariable, "2");
            var trial = Profile.FromEnvironment(cudaAvailable: false);
            Assert.Equal((ProfileName.Paper, (int?)2, 2L), (trial.Name, trial.TrialSteps, trial.TrainingSteps));
            foreach (string bad in new[] { "0", "-1", "two", "1.5" })
            {
                Environment.SetEnvironmentVariable(Profile.TrialStepsVariable, bad);
                var e = Assert.Throws<ArgumentException>(() => Profile.FromEnvironment(cudaAvailable: false));
                Assert.Contains(Profile.TrialStepsVariable, e.Message);
                Assert.Contains($"'{bad}'", e.Message);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, savedProfile);
            Environment.SetEnvironmentVariable(Profile.TrialStepsVariable, savedTrial);
        }
    }
}
