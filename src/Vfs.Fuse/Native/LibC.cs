using System.Runtime.InteropServices;

namespace Vfs.Fuse.Native;

/// <summary>The few libc calls the mount needs: unmount, probing a mount point, detaching a daemon.</summary>
public static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int ENOTCONN = 107;
    public const int MNT_DETACH = 2;

    [LibraryImport(Library, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(Library, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [LibraryImport(Library, EntryPoint = "getegid")]
    public static partial uint Getegid();

    [LibraryImport(Library, EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();

    [LibraryImport(Library, EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);
}
