namespace Vfs.Abstractions;

/// <summary>
/// The one error type that crosses layers. Each layer translates its foreign errors (S3, IO) into an errno at
/// its own edge; the FUSE adapter is the only place that turns it into a <c>-errno</c> reply.
/// </summary>
public sealed class VfsException : Exception
{
    public VfsException(Errno errno, string? message = null, Exception? innerException = null)
        : base(message ?? errno.ToString(), innerException)
    {
        Errno = errno;
    }

    public Errno Errno { get; }

    public static VfsException NotFound(VfsPath path) => new(Errno.ENOENT, $"no such file or directory: /{path}");

    public static VfsException Exists(VfsPath path) => new(Errno.EEXIST, $"already exists: /{path}");

    public static VfsException NotADirectory(VfsPath path) => new(Errno.ENOTDIR, $"not a directory: /{path}");

    public static VfsException IsADirectory(VfsPath path) => new(Errno.EISDIR, $"is a directory: /{path}");

    public static VfsException NotEmpty(VfsPath path) => new(Errno.ENOTEMPTY, $"directory not empty: /{path}");

    public static VfsException Invalid(string message) => new(Errno.EINVAL, message);

    public static VfsException NotSupported(string message) => new(Errno.ENOTSUP, message);
}
