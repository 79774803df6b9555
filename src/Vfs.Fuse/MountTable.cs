using System.Diagnostics;
using System.Runtime.InteropServices;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>Reading /proc/self/mountinfo and unmounting, for the mount and for the CLI's checks.</summary>
public static class MountTable
{
    /// <summary>The filesystem type mounted at <paramref name="mountPoint"/> (e.g. fuse.layeredvfs), or null.</summary>
    public static string? TypeAt(string mountPoint) => Find(mountPoint) is { } fields ? fields[Array.IndexOf(fields, "-", 6) + 1] : null;

    /// <summary>The device (major:minor) of the mount at <paramref name="mountPoint"/>, or null.</summary>
    public static string? DeviceAt(string mountPoint) => Find(mountPoint)?[2];

    private static string[]? Find(string mountPoint)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        string[]? found = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var fields = line.Split(' ');
            if (fields.Length < 10 || Unescape(fields[4]) != target) continue;
            int dash = Array.IndexOf(fields, "-", 6);
            if (dash > 0 && dash + 1 < fields.Length) found = fields; // the last one is on top
        }
        return found;
    }

    /// <summary>Unmounts <paramref name="mountPoint"/>: umount2 as root, fusermount3 -u otherwise; lazily if busy and allowed.</summary>
    public static bool Unmount(string mountPoint, bool lazyWhenBusy, Action<string> log)
    {
        if (TryUnmount(mountPoint, lazy: false, out var error)) return true;
        if (!lazyWhenBusy)
        {
            log($"vfs: could not unmount {mountPoint}: {error}");
            return false;
        }
        log($"vfs: {mountPoint} is busy ({error}); detaching it, it is served until the last file is closed");
        if (TryUnmount(mountPoint, lazy: true, out error)) return true;
        log($"vfs: could not unmount {mountPoint}: {error}");
        return false;
    }

    /// <summary>Lazily detaches a dead mount ("Transport endpoint is not connected"); true when it is gone.</summary>
    public static bool DetachStale(string mountPoint, out string error) => TryUnmount(mountPoint, lazy: true, out error);

    private static bool TryUnmount(string mountPoint, bool lazy, out string error)
    {
        if (LibC.Geteuid() == 0)
        {
            if (LibC.Umount2(mountPoint, lazy ? LibC.MNT_DETACH : 0) == 0)
            {
                error = "";
                return true;
            }
            error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return false;
        }
        var start = new ProcessStartInfo("fusermount3") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(lazy ? "-uz" : "-u");
        start.ArgumentList.Add(mountPoint);
        using var process = Process.Start(start)!;
        error = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static string Unescape(string field) =>
        field.Contains('\\')
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;
}
