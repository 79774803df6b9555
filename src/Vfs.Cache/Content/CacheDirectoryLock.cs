using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// Owns a cache directory for one instance: creates it mode 0700 and holds an exclusive flock(2) on its
/// <c>lock</c> file, so a second mount (or a second instance in this process) over the same directory fails at
/// once with EBUSY instead of corrupting the index. The kernel drops the lock when the process dies, so a
/// crashed mount never leaves a stale lock behind.
/// </summary>
internal sealed partial class CacheDirectoryLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWouldBlock = 11;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly SafeFileHandle _handle;

    private CacheDirectoryLock(string directory, SafeFileHandle handle)
    {
        Directory = directory;
        _handle = handle;
    }

    public string Directory { get; }

    /// <summary>Creates (0700) and locks <paramref name="directory"/>.</summary>
    /// <exception cref="VfsException">EBUSY when another instance holds it; EACCES/ENOTDIR/EIO when it cannot be used.</exception>
    public static CacheDirectoryLock Acquire(string directory)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the content cache runs on Linux");
        var full = Path.GetFullPath(directory);
        SafeFileHandle handle;
        try
        {
            System.IO.Directory.CreateDirectory(full, OwnerOnly);
            File.SetUnixFileMode(full, OwnerOnly);
            handle = File.OpenHandle(Path.Combine(full, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new VfsException(Errno.EACCES, $"cache directory {full} is not writable: {ex.Message}", ex);
        }
        catch (IOException ex) when (ex.HResult == EWouldBlock)
        {
            throw Busy(full, ex);
        }
        catch (IOException ex)
        {
            throw new VfsException(Errno.EIO, $"cache directory {full} cannot be used: {ex.Message}", ex);
        }

        if (flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            if (errno == EWouldBlock) throw Busy(full, null);
            throw new VfsException(Errno.EIO, $"cannot lock cache directory {full}: errno {errno}");
        }
        return new CacheDirectoryLock(full, handle);
    }

    /// <summary>Releases the lock (closing the descriptor drops the flock).</summary>
    public void Dispose() => _handle.Dispose();

    private static VfsException Busy(string directory, Exception? inner) =>
        new(Errno.EBUSY, $"cache directory {directory} is in use by another mount", inner);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
