using System.Diagnostics;
using Vfs.Fuse;
using Vfs.Fuse.Native;

namespace Vfs.Cli.Mounting;

/// <summary>
/// `vfs mount --daemon`: starts this same command again as a background child and returns once the mount answers.
/// The child knows it is the daemon by an environment variable; it leaves the parent's session (setsid) and logs
/// to a file. The parent watches /proc/self/mountinfo for the mount and prints the child's log if it dies first.
/// </summary>
public static class DaemonLauncher
{
    private const string ChildVariable = "LAYEREDVFS_DAEMON_LOG";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static bool IsDaemonChild => Environment.GetEnvironmentVariable(ChildVariable) is { Length: > 0 };

    public static async Task<int> StartAsync(string mountPoint, string subtype, CancellationToken cancellationToken)
    {
        string log = Path.Combine(Path.GetTempPath(), $"layeredvfs-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMddHHmmss}.log");
        File.WriteAllText(log, "");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Under `dotnet vfs.dll` the process path is the host: pass the dll again.
        string[] commandLine = Environment.GetCommandLineArgs();
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(commandLine[0]);
        foreach (var argument in commandLine.Skip(1)) start.ArgumentList.Add(argument);
        start.Environment[ChildVariable] = log;
        start.Environment.Remove("AWS_CA_BUNDLE");

        using var child = Process.Start(start) ?? throw new CliException("could not start the background process");
        child.StandardInput.Close();
        string expectedType = "fuse." + subtype;
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (MountTable.TypeAt(mountPoint) == expectedType && Directory.Exists(mountPoint))
            {
                Console.Error.WriteLine($"vfs: mounted at {mountPoint} in the background (pid {child.Id}, log {log})");
                return 0;
            }
            if (child.HasExited)
            {
                string lines = File.ReadAllText(log).Trim();
                if (lines.Length > 0) Console.Error.WriteLine(lines);
                return child.ExitCode == 0 ? 1 : child.ExitCode;
            }
            if (DateTime.UtcNow > deadline)
                throw new CliException($"the background mount did not answer within {StartTimeout.TotalSeconds:F0} s (pid {child.Id}, log {log})");
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>In the child, after a clean unmount: the log holds nothing worth keeping (kept with --debug or on error).</summary>
    public static void RemoveLog()
    {
        if (Environment.GetEnvironmentVariable(ChildVariable) is { Length: > 0 } log) File.Delete(log);
    }

    /// <summary>In the child: leave the parent's session and send standard output and error (ours and libfuse's) to the log.</summary>
    public static void DetachFromParent()
    {
        LibC.Setsid();
        string log = Environment.GetEnvironmentVariable(ChildVariable)!;
        using var file = File.OpenHandle(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        int fd = (int)file.DangerousGetHandle();
        LibC.Dup2(fd, 1);
        LibC.Dup2(fd, 2);
    }
}
