namespace Vfs.Abstractions.Local;

/// <summary>
/// An open <see cref="LocalVfs"/> file: a file descriptor used with pread/pwrite at explicit offsets (no seek state,
/// no per-call allocation), so concurrent calls on one handle are safe and a rename or unlink of the entry does not
/// affect it. Errors are the kernel's: EBADF for reading a write-only handle or writing a read-only one, EINVAL for
/// ftruncate through a read-only handle; use after disposal is EBADF.
/// </summary>
/// <remarks>
/// FlushAsync closes a duplicate of the descriptor: close(2) is what makes a FUSE filesystem below receive FLUSH, and
/// its result is the flush's, so a LocalVfs pointed at a mount reports the mount's flush errors as close(2) would.
/// Writes with O_APPEND go to the end whatever the offset (Linux's pwrite ignores it then).
/// </remarks>
internal sealed class LocalVfsFile(SafeFd fd, VfsOpenFlags flags, VfsPath path) : IVfsFile
{
    public VfsOpenFlags Flags { get; } = flags;

    public unsafe ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateRange(offset, buffer.Length, writing: false);
        bool added = false;
        try
        {
            AddRef(ref added);
            int total = 0;
            fixed (byte* start = buffer.Span)
            {
                while (total < buffer.Length)
                {
                    nint n;
                    while (LocalErrors.Interrupted(n = LibC.Pread(fd.Fd, start + total, buffer.Length - total, offset + total))) { }
                    if (n < 0) throw LocalErrors.Last("read", path);
                    if (n == 0) break;
                    total += (int)n;
                }
            }
            return ValueTask.FromResult(total);
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public unsafe ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool append = (Flags & VfsOpenFlags.Append) != 0;
        if (!append) PosixRules.ValidateRange(offset, data.Length, writing: true);
        bool added = false;
        try
        {
            AddRef(ref added);
            int done = 0;
            fixed (byte* start = data.Span)
            {
                do
                {
                    nint n;
                    while (LocalErrors.Interrupted(n = LibC.Pwrite(fd.Fd, start + done, data.Length - done, offset + done))) { }
                    if (n < 0) throw LocalErrors.Last("write", path);
                    done += (int)n;
                }
                while (done < data.Length);
            }
            return ValueTask.CompletedTask;
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if ((Flags & VfsOpenFlags.Write) == 0) throw VfsException.Invalid("handle not open for writing"); // ftruncate(2) says EINVAL
        PosixRules.ValidateSize(size);
        bool added = false;
        try
        {
            AddRef(ref added);
            int result;
            while (LocalErrors.Interrupted(result = LibC.Ftruncate(fd.Fd, size))) { }
            if (result < 0) throw LocalErrors.Last("ftruncate", path);
            return ValueTask.CompletedTask;
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool added = false;
        try
        {
            AddRef(ref added);
            int duplicate = LibC.Dup(fd.Fd);
            if (duplicate < 0) throw LocalErrors.Last("flush", path);
            // close(2) is not retried on EINTR: on Linux the descriptor is gone either way.
            if (LibC.Close(duplicate) < 0 && LibC.Errno != LibC.EINTR) throw LocalErrors.Last("flush", path);
            return ValueTask.CompletedTask;
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public ValueTask FsyncAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool added = false;
        try
        {
            AddRef(ref added);
            int result;
            while (LocalErrors.Interrupted(result = LibC.Fsync(fd.Fd))) { }
            if (result < 0) throw LocalErrors.Last("fsync", path);
            return ValueTask.CompletedTask;
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool added = false;
        try
        {
            AddRef(ref added);
            return ValueTask.FromResult(LocalVfs.StatHandle(fd.Fd, path));
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    public ValueTask DisposeAsync()
    {
        fd.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps the descriptor open for the call; a released handle is EBADF.</summary>
    private void AddRef(ref bool added)
    {
        if (fd.IsClosed) throw new VfsException(Errno.EBADF, "handle already released");
        try
        {
            fd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new VfsException(Errno.EBADF, "handle already released");
        }
    }
}
