using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vfs.Fuse.Native;

namespace Vfs.Cli.Mounting;

/// <summary>
/// A small file per mount point that lets `vfs unmount` find the process serving it and follow its drain: line 1 is
/// the serving process's id, line 2 the latest drain progress. It lives in $XDG_RUNTIME_DIR/layeredvfs (else
/// /tmp/layeredvfs-UID, mode 0700), is named by a hash of the mount point, written by the mount process and removed
/// when it exits. A file left by a killed process names a dead (or reused) pid; readers check it is a vfs mount.
/// </summary>
public sealed class MountStateFile : IDisposable
{
    private readonly string _path;
    private readonly int _pid = Environment.ProcessId;

    private MountStateFile(string path) => _path = path;

    /// <summary>The state file of this process's mount, when it has one.</summary>
    public static MountStateFile? Current { get; private set; }

    /// <summary>Creates this process's state file for <paramref name="mountPoint"/>; best effort (null if it cannot).</summary>
    public static MountStateFile? Create(string mountPoint)
    {
        try
        {
            var file = new MountStateFile(PathFor(mountPoint, create: true));
            file.Report("");
            Current = file;
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The serving process's id and its latest progress line, or null when no live vfs process serves it.</summary>
    public static (int Pid, string Progress)? Read(string mountPoint)
    {
        try
        {
            string[] lines = File.ReadAllLines(PathFor(mountPoint, create: false));
            if (lines.Length == 0 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return null;
            return IsVfsProcess(pid) ? (pid, lines.Length > 1 ? lines[1] : "") : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while process <paramref name="pid"/> runs a vfs command (not some later process given the same id).</summary>
    public static bool IsVfsProcess(int pid)
    {
        try
        {
            string commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains("vfs", StringComparison.Ordinal) && commandLine.Contains("mount", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Records the latest progress line (replacing the file, so a reader never sees half of it).</summary>
    public void Report(string progress)
    {
        try
        {
            string temp = _path + ".tmp";
            File.WriteAllText(temp, $"{_pid}\n{progress}\n");
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the unmount command's progress display depends on it.
        }
    }

    public void Dispose()
    {
        if (Current == this) Current = null;
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string PathFor(string mountPoint, bool create)
    {
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string directory = !string.IsNullOrEmpty(runtime) && Path.IsPathRooted(runtime)
            ? Path.Combine(runtime, "layeredvfs")
            : Path.Combine(Path.GetTempPath(), "layeredvfs-" + LibC.Geteuid().ToString(CultureInfo.InvariantCulture));
        if (create && !OperatingSystem.IsWindows()) Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        return Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16] + ".state");
    }
}
