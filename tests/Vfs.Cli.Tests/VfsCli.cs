using Vfs.Testing.Mount;

namespace Vfs.Cli.Tests;

/// <summary>Runs the built vfs command as a child process, as a user runs it, with optional environment settings.</summary>
internal static class VfsCli
{
    public static Task<ShellResult> RunAsync(params string[] arguments) => RunWithEnvironmentAsync([], arguments);

    /// <summary>Runs through env(1) so the child gets <paramref name="environment"/> (NAME=VALUE, or -u NAME to unset).</summary>
    public static Task<ShellResult> RunWithEnvironmentAsync(IReadOnlyList<string> environment, params string[] arguments)
    {
        // env(1) takes its -u options before the first NAME=VALUE
        var unset = new List<string> { "-u", "AWS_CA_BUNDLE" };
        var set = new List<string>();
        for (int i = 0; i < environment.Count; i++)
        {
            if (environment[i] == "-u") unset.AddRange(["-u", environment[++i]]);
            else set.Add(environment[i]);
        }
        return Shell.RunAsync("env", [.. unset, .. set, "dotnet", VfsMount.CliPath, .. arguments], timeout: TimeSpan.FromSeconds(90));
    }

    /// <summary>Exit code as given, exactly one line "vfs: ..." on stderr containing <paramref name="expected"/>, no stack trace.</summary>
    public static void AssertOneLineError(ShellResult result, int exitCode, string expected)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}, expected {exitCode}:\n{result}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line:\n{result}");
        Assert.StartsWith("vfs: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);
    }
}
