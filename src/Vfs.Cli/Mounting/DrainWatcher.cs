namespace Vfs.Cli.Mounting;

/// <summary>
/// `vfs unmount`'s wait for the serving process after the kernel unmounted: it drains its pending uploads and exits.
/// Progress comes from the process's <see cref="MountStateFile"/>; each new line is shown once. There is no timeout:
/// leaving early would report success while data is still on its way to the store (Ctrl-C leaves; the mount process
/// goes on uploading by itself).
/// </summary>
public static class DrainWatcher
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan QuietStart = TimeSpan.FromSeconds(1);

    public static void WaitForExit(string mountPoint, int pid, Action<string> write)
    {
        var started = DateTime.UtcNow;
        bool announced = false;
        string shown = "";
        while (MountStateFile.IsVfsProcess(pid))
        {
            if (!announced && DateTime.UtcNow - started > QuietStart)
            {
                write($"vfs: waiting for the mount process (pid {pid}) to upload pending data");
                announced = true;
            }
            if (MountStateFile.Read(mountPoint) is { Progress: { Length: > 0 } progress } && progress != shown)
            {
                write(progress);
                shown = progress;
            }
            Thread.Sleep(Poll);
        }
    }
}
