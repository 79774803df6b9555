using System.Diagnostics;
using System.Text;

namespace Vfs.Testing.Mount;

/// <summary>What a shell command did: exit code and its output.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs commands the way a user would (bash -c, real tools) and child processes for the CLI.</summary>
public static class Shell
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="script"/> with bash -e -o pipefail in <paramref name="directory"/>.</summary>
    public static Task<ShellResult> BashAsync(string script, string directory, TimeSpan? timeout = null) =>
        RunAsync("bash", ["-e", "-o", "pipefail", "-c", script], directory, timeout);

    /// <summary>Runs a program to completion; on timeout it is killed (by its PID) and the result says so.</summary>
    public static async Task<ShellResult> RunAsync(string program, IEnumerable<string> arguments, string? directory = null, TimeSpan? timeout = null)
    {
        using var process = new Process { StartInfo = StartInfo(program, arguments, directory) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return new ShellResult(-1, stdout.ToString(), stderr + $"\n(timed out after {timeout ?? DefaultTimeout})");
        }
        return new ShellResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A start description for a child with all three standard streams redirected and AWS_CA_BUNDLE removed.</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string? directory)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("AWS_CA_BUNDLE");
        return start;
    }
}
