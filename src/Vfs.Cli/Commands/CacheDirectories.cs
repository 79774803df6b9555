using System.Runtime.InteropServices;
using Vfs.Cache.Content;

namespace Vfs.Cli.Commands;

/// <summary>
/// Finds the content cache directories `vfs cache stats` reports on: the one given, or every directory holding a cache
/// index under the default root (<c>$XDG_CACHE_HOME/layeredvfs</c>, where `vfs mount` keeps one per mount id).
/// </summary>
public static partial class CacheDirectories
{
    private const int LockShared = 1;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11; // EWOULDBLOCK

    /// <summary>Every directory directly under <paramref name="root"/> that holds a cache index, sorted by name.</summary>
    public static IReadOnlyList<string> Under(string root) =>
        !Directory.Exists(root)
            ? []
            : Directory.GetDirectories(root)
                .Where(ContentCacheStatistics.IsCacheDirectory)
                .Order(StringComparer.Ordinal)
                .ToList();

    /// <summary>
    /// True while a mount holds the directory: the cache takes an exclusive flock(2) on its <c>lock</c> file, so a
    /// shared one is refused exactly then. Taking it briefly never disturbs the mount (it only ever asks once, at start).
    /// </summary>
    public static bool IsInUse(string cacheDirectory)
    {
        string lockFile = Path.Combine(cacheDirectory, "lock");
        if (!File.Exists(lockFile)) return false;
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(lockFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException e) when (e.HResult == WouldBlock)
        {
            return true; // .NET itself takes a shared flock when opening, and is refused the same way
        }
        using var owned = handle;
        int fd = (int)handle.DangerousGetHandle();
        if (flock(fd, LockShared | LockNonBlocking) == 0) return false; // closing the handle releases it
        return Marshal.GetLastPInvokeError() == WouldBlock; // held exclusively
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
