using Vfs.Abstractions;

namespace Vfs.Fuse;

/// <summary>
/// The one place where an exception becomes an errno for the kernel (STYLE.md habit 6). A VfsException carries its
/// errno; a cancelled call (a FUSE interrupt) is EINTR; anything else is a bug or an unmapped foreign error below,
/// so it is EIO and logged with the operation and the path.
/// </summary>
internal static class FuseErrors
{
    public static int ToErrno(Exception exception, string op, string subject, Action<string> log)
    {
        switch (exception)
        {
            case VfsException vfs:
                return (int)vfs.Errno;
            case OperationCanceledException:
                return (int)Errno.EINTR;
            default:
                log($"vfs: {op} {subject}: unexpected {exception.GetType().Name}: {exception.Message} (answered EIO)");
                return (int)Errno.EIO;
        }
    }
}
