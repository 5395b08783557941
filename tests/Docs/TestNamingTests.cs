using System.Reflection;

namespace SoftDiffusion.Tests.Docs;

/// <summary>One naming style for tests: a PascalCase sentence (<c>ResumingFromACheckpointContinuesExactly</c>), no underscores.</summary>
public class TestNamingTests
{
    [Fact]
    public void EveryTestNameIsAPascalCaseSentence()
    {
        var wrong = typeof(TestNamingTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
            .Where(m => m.Name.Contains('_') || !char.IsUpper(m.Name[0]))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.True(wrong.Count == 0, "Expected PascalCase test names without underscores, got:\n" + string.Join("\n", wrong));
    }
}
