/// <summary>
/// The command line of a tool (tools/Train, tools/Score; linked into each): options in order, each handled by the
/// tool, which reads the option's value when it takes one. A missing value, an unknown option or a value that does not
/// parse is printed with the usage and ends the tool with exit code 64 (EX_USAGE).
/// </summary>
static class ToolArguments
{
    /// <summary>The exit code of a command line the tool cannot use.</summary>
    public const int UsageError = 64;

    /// <summary>Hands each option of <paramref name="args"/> to <paramref name="option"/>.</summary>
    /// <param name="args">The tool's arguments.</param>
    /// <param name="usage">The usage line, printed with every error.</param>
    /// <param name="option">Handles an option, reading its value with the function it is given; returns false for an
    /// option the tool does not know.</param>
    /// <returns>Null when every option was handled, else <see cref="UsageError"/> (the error printed).</returns>
    public static int? Read(string[] args, string usage, Func<string, Func<string>, bool> option)
    {
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
                if (!option(name, Value)) throw new ArgumentException($"Unknown argument '{name}'.");
            }
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e is ArgumentException ? $"{e.Message} {usage}" : $"A numeric argument is not a number ({e.Message}). {usage}");
            return UsageError;
        }
    }
}
