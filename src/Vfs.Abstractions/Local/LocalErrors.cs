namespace Vfs.Abstractions.Local;

/// <summary>
/// Turns a failed libc call into a <see cref="VfsException"/>. The errno is passed through unchanged (the
/// <see cref="Errno"/> enum's values are Linux's, and one it does not name still reaches the FUSE reply as the same
/// number), so LocalVfs reports exactly what the kernel said, also when it runs over another FUSE mount.
/// </summary>
internal static class LocalErrors
{
    /// <summary>True when the call failed with EINTR and should simply be made again.</summary>
    public static bool Interrupted(long result) => result < 0 && LibC.Errno == LibC.EINTR;

    public static VfsException FromErrno(int errno, string operation, VfsPath path)
    {
        var errnoValue = (Errno)errno;
        var name = Enum.IsDefined(errnoValue) ? errnoValue.ToString() : $"errno {errno}";
        return new VfsException(errnoValue, $"{operation} {path}: {name}");
    }

    public static VfsException Last(string operation, VfsPath path) => FromErrno(LibC.Errno, operation, path);
}
