using System.Text;

namespace Vfs.Abstractions;

/// <summary>
/// The argument checks every store makes the same way, so that the reference model and the real stores give the
/// same errno for the same bad request (the model tests compare them).
/// </summary>
public static class PosixRules
{
    /// <summary>PATH_MAX - 1: the longest symlink target Linux accepts.</summary>
    public const int MaxSymlinkTargetBytes = 4095;

    /// <summary>The largest file size the stores accept (Linux's MAX_LFS_FILESIZE for ext4 is larger; 2^40 keeps the model honest).</summary>
    public const long MaxFileSize = 1L << 40;

    /// <summary>symlink(2) target rules: empty is ENOENT, NUL is EINVAL, longer than PATH_MAX - 1 is ENAMETOOLONG.</summary>
    public static void ValidateSymlinkTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0) throw new VfsException(Errno.ENOENT, "empty symlink target");
        if (target.Contains('\0')) throw new VfsException(Errno.EINVAL, "symlink target contains NUL");
        if (Encoding.UTF8.GetByteCount(target) > MaxSymlinkTargetBytes)
            throw new VfsException(Errno.ENAMETOOLONG, $"symlink target longer than {MaxSymlinkTargetBytes} bytes");
    }

    /// <summary>An open must ask for reading, writing or both (O_RDONLY, O_WRONLY, O_RDWR); nothing else is EINVAL.</summary>
    public static void ValidateOpenFlags(VfsOpenFlags flags)
    {
        if ((flags & VfsOpenFlags.ReadWrite) == 0) throw VfsException.Invalid("open without read or write access");
        const VfsOpenFlags known = VfsOpenFlags.ReadWrite | VfsOpenFlags.Create | VfsOpenFlags.Exclusive
                                   | VfsOpenFlags.Truncate | VfsOpenFlags.Append;
        if ((flags & ~known) != 0) throw VfsException.Invalid($"unknown open flags {flags}");
    }

    /// <summary>renameat2(2): NOREPLACE and EXCHANGE together, or unknown bits, are EINVAL.</summary>
    public static void ValidateRenameFlags(VfsRenameFlags flags)
    {
        if ((flags & ~(VfsRenameFlags.NoReplace | VfsRenameFlags.Exchange)) != 0)
            throw VfsException.Invalid($"unknown rename flags {flags}");
        if (flags == (VfsRenameFlags.NoReplace | VfsRenameFlags.Exchange))
            throw VfsException.Invalid("RENAME_NOREPLACE and RENAME_EXCHANGE together");
    }

    /// <summary>A read or write range: negative offsets are EINVAL, past <see cref="MaxFileSize"/> EFBIG.</summary>
    public static void ValidateRange(long offset, int length, bool writing)
    {
        if (offset < 0) throw VfsException.Invalid($"negative offset {offset}");
        if (writing && length > 0 && offset > MaxFileSize - length)
            throw new VfsException(Errno.EFBIG, $"write past the largest file size {MaxFileSize}");
    }

    /// <summary>A size for truncate: negative is EINVAL, past <see cref="MaxFileSize"/> EFBIG.</summary>
    public static void ValidateSize(long size)
    {
        if (size < 0) throw VfsException.Invalid($"negative size {size}");
        if (size > MaxFileSize) throw new VfsException(Errno.EFBIG, $"size past the largest file size {MaxFileSize}");
    }
}
