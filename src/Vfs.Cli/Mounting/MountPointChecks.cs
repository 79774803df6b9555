using System.Runtime.InteropServices;
using Vfs.Fuse;
using Vfs.Fuse.Native;

namespace Vfs.Cli.Mounting;

/// <summary>What must hold before mounting, each failure one clear line: FUSE present, the mount point a free directory.</summary>
public static class MountPointChecks
{
    public const string FuseDevice = "/dev/fuse";

    /// <summary>Checks the machine and <paramref name="mountPoint"/>, clearing a stale mount left by a killed process.</summary>
    public static void Prepare(string mountPoint, Action<string> log)
    {
        if (!FuseMount.IsLibFuseAvailable())
            throw new CliException("libfuse3 is not installed (Debian/Ubuntu: apt-get install fuse3)");
        if (!File.Exists(FuseDevice))
            throw new CliException($"{FuseDevice} is missing: load the fuse module (modprobe fuse), or give a container --device /dev/fuse");

        if (IsStale(mountPoint))
        {
            // A mount whose process died answers every call with ENOTCONN; it only needs detaching.
            if (!MountTable.DetachStale(mountPoint, out var error))
                throw new CliException($"{mountPoint} holds a dead mount that could not be cleared: {error}");
            log($"vfs: cleared a stale mount at {mountPoint} (its process had died)");
        }

        if (!Directory.Exists(mountPoint))
        {
            throw new CliException(File.Exists(mountPoint)
                ? $"mount point {mountPoint} is not a directory"
                : $"mount point {mountPoint} does not exist");
        }
        if (MountTable.TypeAt(mountPoint) is { } type)
            throw new CliException($"{mountPoint} is already mounted ({type}); unmount it first (vfs unmount {mountPoint})");
    }

    /// <summary>True when <paramref name="mountPoint"/> is a dead FUSE mount ("Transport endpoint is not connected").</summary>
    public static bool IsStale(string mountPoint) =>
        LibC.Access(mountPoint, 0) != 0 && Marshal.GetLastPInvokeError() == LibC.ENOTCONN;

    /// <summary>Waits (polling the mount table) until nothing is mounted at <paramref name="mountPoint"/>.</summary>
    public static bool WaitUntilUnmounted(string mountPoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (MountTable.TypeAt(mountPoint) is not null)
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }
}
