using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Vfs.Abstractions.Local;

/// <summary>
/// The <see cref="IVfs"/> contract over a local directory (or any mounted directory, a FUSE mount included), confined
/// to it, with the same semantics as <see cref="Memory.MemoryVfs"/>.
/// </summary>
/// <remarks>
/// Confinement: the root directory is opened once; every path is then resolved component by component from that
/// descriptor with <c>openat(O_PATH | O_DIRECTORY | O_NOFOLLOW)</c>, and the last component is used only through
/// <c>*at</c> calls that do not follow symlinks (statx/fchownat/utimensat/fchmodat with AT_SYMLINK_NOFOLLOW, openat
/// with O_NOFOLLOW; unlinkat, renameat2, mkdirat, symlinkat and readlinkat never follow the last component).
/// <see cref="VfsPath"/> already refuses <c>..</c>, <c>.</c>, <c>/</c> and NUL in names, so no name, <c>..</c> or
/// symlink reaches outside the root: a symlink used as a directory component is ENOTDIR (the kernel's answer to
/// O_DIRECTORY|O_NOFOLLOW: the store does not follow links, so a link is not a directory), opening a symlink is ELOOP
/// (O_NOFOLLOW). Symlinks inside the store are entries, created and read, never followed by the store.
/// Errors: every errno is the kernel's own, passed through (<see cref="LocalErrors"/>); a few argument checks shared
/// with the model (<see cref="PosixRules"/>) come first so both stores refuse bad requests alike.
/// Not covered: another process moving a directory out of the root while an operation holds it open (the openat
/// walk then works on the moved directory, as any *at walk would).
/// State: only the root descriptor; no locks (the kernel serializes). Dispose the store after its operations have
/// ended (open handles own their descriptors and outlive it). Special files (FIFOs, sockets, devices) are
/// shown as empty files and refuse to open (EACCES), so the store never blocks on one.
/// </remarks>
public sealed class LocalVfs : IVfs
{
    private const string Self = ".";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly SafeFd _root;

    /// <summary>Opens <paramref name="rootPath"/> (which must be an existing directory) as the store's root.</summary>
    /// <param name="rootPath">The directory to serve; a symlink here is followed once, at start.</param>
    /// <param name="capabilities">What the filesystem below offers; default <see cref="VfsCapabilities.Posix"/>. A caller
    /// pointing the store at a mount that offers less (e.g. a FUSE mount over S3) states it here; the store still passes
    /// every request down and reports the kernel's errno.</param>
    /// <exception cref="VfsException">The errno of opening the root (ENOENT, ENOTDIR, EACCES).</exception>
    public LocalVfs(string rootPath, VfsCapabilities capabilities = VfsCapabilities.Posix)
    {
        Capabilities = capabilities;
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        RootPath = Path.GetFullPath(rootPath);
        int fd;
        while (LocalErrors.Interrupted(fd = LibC.OpenAt(-100 /* AT_FDCWD */, RootPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0))) { }
        if (fd < 0)
        {
            int errno = LibC.Errno;
            throw new VfsException((Errno)errno, $"cannot open the store's root directory {RootPath}: {(Errno)errno}");
        }
        _root = new SafeFd(fd);
    }

    /// <summary>The absolute path of the root directory.</summary>
    public string RootPath { get; }

    public VfsCapabilities Capabilities { get; }

    public ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var parent = TryOpenParent(path, out int walkErrno);
        if (parent is null)
        {
            if (walkErrno == (int)Errno.ENOENT) return ValueTask.FromResult<VfsAttributes?>(null);
            throw LocalErrors.FromErrno(walkErrno, "stat", path);
        }
        if (!TryStat(parent.Fd, NameOf(path), out var stat, out int errno))
        {
            if (errno == (int)Errno.ENOENT) return ValueTask.FromResult<VfsAttributes?>(null);
            throw LocalErrors.FromErrno(errno, "stat", path);
        }
        return ValueTask.FromResult<VfsAttributes?>(ToAttributes(stat));
    }

    public async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = ReadDirectory(path);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (path.IsRoot) throw VfsException.Exists(path);
        using var parent = OpenParent(path, "mkdir");
        var name = path.Name;
        int result;
        while (LocalErrors.Interrupted(result = LibC.MkdirAt(parent.Fd, name, PermissionBits(options.Mode)))) { }
        if (result < 0) throw LocalErrors.Last("mkdir", path);
        ApplyCreateOptions(parent.Fd, name, options, path);
        return ValueTask.FromResult(Stat(parent.Fd, name, path));
    }

    public ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (path.IsRoot) throw VfsException.IsADirectory(path);
        using var parent = OpenParent(path, "unlink");
        int result;
        while (LocalErrors.Interrupted(result = LibC.UnlinkAt(parent.Fd, path.Name, 0))) { }
        if (result < 0) throw LocalErrors.Last("unlink", path);
        return ValueTask.CompletedTask;
    }

    public ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (path.IsRoot) throw new VfsException(Errno.EBUSY, "cannot remove the root");
        using var parent = OpenParent(path, "rmdir");
        int result;
        while (LocalErrors.Interrupted(result = LibC.UnlinkAt(parent.Fd, path.Name, LibC.AT_REMOVEDIR))) { }
        if (result < 0)
        {
            int errno = LibC.Errno;
            // POSIX lets rmdir say EEXIST for a non-empty directory; the contract says ENOTEMPTY.
            if (errno == (int)Errno.EEXIST) errno = (int)Errno.ENOTEMPTY;
            throw LocalErrors.FromErrno(errno, "rmdir", path);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>renameat2(2): the kernel applies every POSIX rule (EINVAL into own subtree, ENOTEMPTY, EISDIR…).</summary>
    public ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateRenameFlags(flags);
        if (from.IsRoot || to.IsRoot) throw new VfsException(Errno.EBUSY, "cannot rename the root");
        using var fromParent = OpenParent(from, "rename");
        using var toParent = OpenParent(to, "rename");
        int result;
        while (LocalErrors.Interrupted(result = LibC.RenameAt2(fromParent.Fd, from.Name, toParent.Fd, to.Name, (uint)flags))) { }
        if (result < 0) throw LocalErrors.FromErrno(LibC.Errno, $"rename {from} ->", to);
        return ValueTask.CompletedTask;
    }

    public ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var parent = OpenParent(path, "setattr");
        var name = NameOf(path);
        var current = Stat(parent.Fd, name, path);
        if (changes.Size is { } size)
        {
            if (current.IsDirectory) throw VfsException.IsADirectory(path);
            if (current.IsSymlink) throw VfsException.Invalid($"cannot truncate a symlink: {path}");
            PosixRules.ValidateSize(size);
            TruncateByName(parent.Fd, name, size, path);
        }
        if (changes.Mode is { } mode)
        {
            if (current.IsSymlink) throw VfsException.NotSupported($"a symlink's mode cannot change: {path}");
            if (LibC.FchmodAt(parent.Fd, name, PermissionBits(mode), LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("chmod", path);
        }
        if (changes.Uid is not null || changes.Gid is not null)
        {
            uint uid = changes.Uid ?? uint.MaxValue, gid = changes.Gid ?? uint.MaxValue; // -1: unchanged
            if (LibC.FchownAt(parent.Fd, name, uid, gid, LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("chown", path);
            // chown clears setuid/setgid; a mode asked for in the same call must survive it.
            if (changes.Mode is { } again && LibC.FchmodAt(parent.Fd, name, PermissionBits(again), LibC.AT_SYMLINK_NOFOLLOW) < 0)
                throw LocalErrors.Last("chmod", path);
        }
        if (changes.AccessTime is not null || changes.ModifiedTime is not null) SetTimes(parent.Fd, name, changes, path);
        return ValueTask.FromResult(Stat(parent.Fd, name, path));
    }

    public ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateSymlinkTarget(target);
        if (path.IsRoot) throw VfsException.Exists(path);
        using var parent = OpenParent(path, "symlink");
        int result;
        while (LocalErrors.Interrupted(result = LibC.SymlinkAt(target, parent.Fd, path.Name))) { }
        if (result < 0) throw LocalErrors.Last("symlink", path);
        var created = Stat(parent.Fd, path.Name, path);
        if (created.Uid != options.Uid || created.Gid != options.Gid)
        {
            if (LibC.FchownAt(parent.Fd, path.Name, options.Uid, options.Gid, LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("chown", path);
            created = Stat(parent.Fd, path.Name, path);
        }
        return ValueTask.FromResult(created);
    }

    public unsafe ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var parent = OpenParent(path, "readlink");
        var buffer = new byte[PosixRules.MaxSymlinkTargetBytes + 1];
        nint length;
        fixed (byte* pointer = buffer)
            while (LocalErrors.Interrupted(length = LibC.ReadlinkAt(parent.Fd, NameOf(path), pointer, buffer.Length))) { }
        if (length < 0) throw LocalErrors.Last("readlink", path);
        return ValueTask.FromResult(Encoding.UTF8.GetString(buffer, 0, (int)length));
    }

    /// <summary>
    /// open(2) with O_NOFOLLOW. With Create, the file is first tried with O_EXCL so the store knows whether it made it
    /// (and then sets the exact mode, which the process umask would otherwise change, and the owner).
    /// </summary>
    public ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateOpenFlags(flags);
        if (path.IsRoot) throw VfsException.IsADirectory(path);
        using var parent = OpenParent(path, "open");
        var name = path.Name;
        int access = (flags & VfsOpenFlags.ReadWrite) switch
        {
            VfsOpenFlags.ReadWrite => LibC.O_RDWR,
            VfsOpenFlags.Write => LibC.O_WRONLY,
            _ => LibC.O_RDONLY,
        };
        // O_NONBLOCK so that a FIFO planted in the directory cannot hang the open; cleared again below.
        int common = access | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK
                     | ((flags & VfsOpenFlags.Append) != 0 ? LibC.O_APPEND : 0);
        int truncate = (flags & VfsOpenFlags.Truncate) != 0 ? LibC.O_TRUNC : 0;
        bool create = (flags & VfsOpenFlags.Create) != 0;
        bool exclusive = (flags & VfsOpenFlags.Exclusive) != 0;

        for (int attempt = 0; ; attempt++)
        {
            int fd;
            if (create)
            {
                while (LocalErrors.Interrupted(fd = LibC.OpenAt(parent.Fd, name, common | LibC.O_CREAT | LibC.O_EXCL, PermissionBits(options.Mode)))) { }
                if (fd >= 0) return ValueTask.FromResult<IVfsFile>(Opened(new SafeFd(fd), flags, path, created: options));
                if (LibC.Errno != (int)Errno.EEXIST || exclusive) throw LocalErrors.Last("open", path);
            }
            while (LocalErrors.Interrupted(fd = LibC.OpenAt(parent.Fd, name, common | truncate, 0))) { }
            if (fd >= 0) return ValueTask.FromResult<IVfsFile>(Opened(new SafeFd(fd), flags, path, created: null));
            // With Create, the entry may have been removed between the two opens: try again (a few times).
            if (!create || LibC.Errno != (int)Errno.ENOENT || attempt >= 3) throw LocalErrors.Last("open", path);
        }
    }

    public ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (LibC.Fstatvfs(_root.Fd, out var stat) < 0) throw LocalErrors.Last("statfs", VfsPath.Root);
        return ValueTask.FromResult(new VfsStatFs(
            BlockSize: (long)stat.FragmentSize,
            TotalBlocks: (long)stat.Blocks,
            FreeBlocks: (long)stat.FreeBlocks,
            AvailableBlocks: (long)stat.AvailableBlocks,
            TotalFiles: (long)stat.Files,
            FreeFiles: (long)stat.FreeFiles,
            MaxNameLength: (int)Math.Min(stat.MaxNameLength, VfsPath.MaxSegmentBytes)));
    }

    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- helpers ----

    private static uint PermissionBits(int mode) => (uint)(mode & VfsAttributes.PermissionMask);

    /// <summary>The name to use relative to the parent descriptor: "." for the root itself.</summary>
    private static string NameOf(VfsPath path) => path.IsRoot ? Self : path.Name;

    /// <summary>
    /// Opens the directory that holds <paramref name="path"/>'s last segment by walking from the root without
    /// following symlinks; null with the walk's errno (ENOENT, ENOTDIR, EACCES…) when a component fails.
    /// For the root itself, the root (<see cref="NameOf"/> then gives ".").
    /// </summary>
    private DirectoryFd? TryOpenParent(VfsPath path, out int errno)
    {
        errno = 0;
        var current = new DirectoryFd(_root.Fd, null);
        if (path.IsRoot || path.Parent.IsRoot) return current;
        foreach (var segment in path.Parent.Segments)
        {
            int fd;
            while (LocalErrors.Interrupted(fd = LibC.OpenAt(current.Fd, segment, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0))) { }
            int walkErrno = LibC.Errno;
            current.Dispose();
            if (fd < 0)
            {
                errno = walkErrno;
                return null;
            }
            current = new DirectoryFd(fd, new SafeFd(fd));
        }
        return current;
    }

    private DirectoryFd OpenParent(VfsPath path, string operation) =>
        TryOpenParent(path, out int errno) ?? throw LocalErrors.FromErrno(errno, operation, path);

    private static bool TryStat(int dirFd, string name, out LibC.Statx stat, out int errno)
    {
        int result;
        while (LocalErrors.Interrupted(result = LibC.StatxAt(dirFd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out stat))) { }
        errno = result < 0 ? LibC.Errno : 0;
        return result == 0;
    }

    private static VfsAttributes Stat(int dirFd, string name, VfsPath path) =>
        TryStat(dirFd, name, out var stat, out int errno) ? ToAttributes(stat) : throw LocalErrors.FromErrno(errno, "stat", path);

    internal static VfsAttributes StatHandle(int fd, VfsPath path)
    {
        int result;
        LibC.Statx stat;
        while (LocalErrors.Interrupted(result = LibC.StatxAt(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out stat))) { }
        return result == 0 ? ToAttributes(stat) : throw LocalErrors.Last("fstat", path);
    }

    internal static VfsAttributes ToAttributes(in LibC.Statx stat)
    {
        int type = stat.Mode & LibC.S_IFMT;
        var kind = type switch
        {
            LibC.S_IFDIR => VfsEntryKind.Directory,
            LibC.S_IFLNK => VfsEntryKind.Symlink,
            _ => VfsEntryKind.File,
        };
        long size = type is LibC.S_IFREG or LibC.S_IFLNK ? (long)stat.Size : 0;
        return new VfsAttributes
        {
            Kind = kind,
            Size = size,
            Mode = stat.Mode & VfsAttributes.PermissionMask,
            Uid = stat.Uid,
            Gid = stat.Gid,
            AccessTime = ToTime(stat.AccessTime),
            ModifiedTime = ToTime(stat.ModifiedTime),
            ChangeTime = ToTime(stat.ChangeTime),
            // A version fingerprint for the caches: inode, mtime and size change when the content does.
            ETag = type == LibC.S_IFREG ? $"{stat.Inode:x}-{stat.ModifiedTime.Seconds:x}.{stat.ModifiedTime.Nanoseconds:x}-{stat.Size:x}" : null,
        };
    }

    private static DateTimeOffset ToTime(LibC.StatxTimestamp time) =>
        DateTimeOffset.UnixEpoch.AddTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);

    private static LibC.Timespec ToTimespec(DateTimeOffset? time)
    {
        if (time is not { } value) return new LibC.Timespec { Seconds = 0, Nanoseconds = LibC.UTIME_OMIT };
        long ticks = (value - DateTimeOffset.UnixEpoch).Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }
        return new LibC.Timespec { Seconds = seconds, Nanoseconds = remainder * 100 };
    }

    private static unsafe void SetTimes(int dirFd, string name, VfsAttributeChanges changes, VfsPath path)
    {
        var times = stackalloc LibC.Timespec[2];
        times[0] = ToTimespec(changes.AccessTime);
        times[1] = ToTimespec(changes.ModifiedTime);
        if (LibC.UtimensAt(dirFd, name, times, LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("utimens", path);
    }

    private static void TruncateByName(int dirFd, string name, long size, VfsPath path)
    {
        int fd;
        while (LocalErrors.Interrupted(fd = LibC.OpenAt(dirFd, name, LibC.O_WRONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0))) { }
        if (fd < 0) throw LocalErrors.Last("truncate", path);
        using var file = new SafeFd(fd);
        int result;
        while (LocalErrors.Interrupted(result = LibC.Ftruncate(fd, size))) { }
        if (result < 0) throw LocalErrors.Last("truncate", path);
    }

    /// <summary>Gives a new entry the exact owner and mode asked for (umask and setgid directories change them).</summary>
    private static void ApplyCreateOptions(int dirFd, string name, VfsCreateOptions options, VfsPath path)
    {
        var created = Stat(dirFd, name, path);
        if (created.Uid != options.Uid || created.Gid != options.Gid)
        {
            if (LibC.FchownAt(dirFd, name, options.Uid, options.Gid, LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("chown", path);
        }
        if (LibC.FchmodAt(dirFd, name, PermissionBits(options.Mode), LibC.AT_SYMLINK_NOFOLLOW) < 0) throw LocalErrors.Last("chmod", path);
    }

    /// <summary>Checks what was opened (a directory is EISDIR, a special file EACCES), fixes a new file's owner and
    /// mode, and clears O_NONBLOCK.</summary>
    private static LocalVfsFile Opened(SafeFd fd, VfsOpenFlags flags, VfsPath path, VfsCreateOptions? created)
    {
        try
        {
            int result;
            LibC.Statx stat;
            while (LocalErrors.Interrupted(result = LibC.StatxAt(fd.Fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out stat))) { }
            if (result < 0) throw LocalErrors.Last("fstat", path);
            int type = stat.Mode & LibC.S_IFMT;
            if (type == LibC.S_IFDIR) throw VfsException.IsADirectory(path);
            if (type != LibC.S_IFREG) throw new VfsException(Errno.EACCES, $"not a regular file: {path}");
            if (created is { } options)
            {
                if ((stat.Uid != options.Uid || stat.Gid != options.Gid) && LibC.Fchown(fd.Fd, options.Uid, options.Gid) < 0)
                    throw LocalErrors.Last("chown", path);
                if (LibC.Fchmod(fd.Fd, PermissionBits(options.Mode)) < 0) throw LocalErrors.Last("chmod", path);
            }
            int status = LibC.Fcntl(fd.Fd, LibC.F_GETFL, 0);
            if (status < 0 || LibC.Fcntl(fd.Fd, LibC.F_SETFL, status & ~LibC.O_NONBLOCK) < 0) throw LocalErrors.Last("fcntl", path);
            return new LocalVfsFile(fd, flags, path);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole directory into a sorted snapshot (names that are not valid UTF-8 path segments are skipped).</summary>
    private unsafe List<VfsEntry> ReadDirectory(VfsPath path)
    {
        using var parent = OpenParent(path, "readdir");
        int fd;
        while (LocalErrors.Interrupted(fd = LibC.OpenAt(parent.Fd, NameOf(path), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0))) { }
        if (fd < 0) throw LocalErrors.Last("readdir", path);
        nint directory = LibC.Fdopendir(fd);
        if (directory == 0)
        {
            var error = LocalErrors.Last("readdir", path);
            LibC.Close(fd);
            throw error;
        }
        var entries = new List<VfsEntry>();
        try
        {
            while (true)
            {
                byte* entry = LibC.Readdir(directory);
                if (entry == null)
                {
                    int errno = LibC.Errno;
                    if (errno != 0) throw LocalErrors.FromErrno(errno, "readdir", path);
                    break;
                }
                var nameBytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + LibC.DirentNameOffset);
                string name;
                try
                {
                    name = StrictUtf8.GetString(nameBytes);
                }
                catch (DecoderFallbackException)
                {
                    continue; // not representable as a VfsPath segment
                }
                if (!VfsPath.IsValidName(name)) continue;
                if (!TryStat(fd, name, out var stat, out int statErrno))
                {
                    if (statErrno == (int)Errno.ENOENT) continue; // removed while listing
                    throw LocalErrors.FromErrno(statErrno, "stat", path);
                }
                entries.Add(new VfsEntry(name, ToAttributes(stat)));
            }
        }
        finally
        {
            LibC.Closedir(directory);
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    /// <summary>A directory descriptor from a walk: the root (not owned) or an intermediate directory (owned, closed on dispose).</summary>
    private sealed class DirectoryFd(int fd, SafeFd? owned) : IDisposable
    {
        public int Fd { get; } = fd;

        public void Dispose() => owned?.Dispose();
    }
}
