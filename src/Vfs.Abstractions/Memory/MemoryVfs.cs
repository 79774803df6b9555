using System.Runtime.CompilerServices;

namespace Vfs.Abstractions.Memory;

/// <summary>
/// The reference model: a complete POSIX filesystem in memory, through the <see cref="IVfs"/> contract. The model
/// tests run every other stack against it, so it favours being exactly right over being fast.
/// </summary>
/// <remarks>
/// Design: a tree of <see cref="MemoryNode"/>s (inodes) under one root directory; names live in the parent's
/// children map, data in the node, and an open handle holds the node, so it keeps working after rename or unlink.
/// Locking: ONE lock (<see cref="_lock"/>) guards the whole tree, every node and every handle's reads and writes.
/// Every operation runs to completion under it without awaiting, so each is atomic and there is no lock order to
/// keep. A global lock is slow under contention, which is acceptable for a model.
/// Semantics decided here (docs/SEMANTICS.md):
/// <list type="bullet">
/// <item>Paths are never resolved through symlinks: the FUSE kernel resolves them before asking. A symlink as an
/// intermediate component is ENOTDIR (it is not a directory); opening a symlink is ELOOP, as open(2) with
/// O_NOFOLLOW; O_CREAT|O_EXCL on an existing symlink is EEXIST.</item>
/// <item>Opening a directory is EISDIR whatever the access (directories are read through <see cref="ListAsync"/>).</item>
/// <item>Permission bits are stored, never enforced (the FUSE adapter mounts with default_permissions, so the kernel
/// checks them). Symlinks always have mode 0777; changing a symlink's mode is ENOTSUP (Linux's lchmod).</item>
/// <item>Times: creation sets all three; content changes (write, truncate) set mtime and ctime; a directory's mtime and
/// ctime move when entries are added, removed or renamed in it; attribute changes and rename set ctime. Reads do not
/// change atime (as with noatime).</item>
/// <item>rename follows Linux's renameat2 check order (see <see cref="RenameAsync"/>).</item>
/// </list>
/// </remarks>
public sealed class MemoryVfs : IVfs
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly MemoryDirectoryNode _root;
    private long _nextFileId;
    private long _nodeCount = 1;

    public MemoryVfs(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _root = new MemoryDirectoryNode(VfsCreateOptions.Directory, _time.GetUtcNow());
    }

    public VfsCapabilities Capabilities => VfsCapabilities.Posix;

    /// <summary>Blocks statfs reports in total (4 KiB each: 1 TiB); free is what the data leaves.</summary>
    public const long TotalBlocks = 1L << 28;

    /// <summary>Inodes statfs reports in total.</summary>
    public const long TotalFiles = 1L << 24;

    public const int BlockSize = 4096;

    public ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var parentError = TryWalkToParent(path, out var parent);
            if (parentError == Errno.ENOENT) return ValueTask.FromResult<VfsAttributes?>(null);
            if (parentError is { } error) throw new VfsException(error, $"{error}: /{path}");
            var node = path.IsRoot ? _root : parent!.Children.GetValueOrDefault(path.Name);
            return ValueTask.FromResult(node?.ToAttributes());
        }
    }

    public async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<VfsEntry> snapshot;
        lock (_lock)
        {
            var node = Lookup(path) ?? throw VfsException.NotFound(path);
            if (node is not MemoryDirectoryNode directory) throw VfsException.NotADirectory(path);
            snapshot = directory.Children.Select(child => new VfsEntry(child.Key, child.Value.ToAttributes())).ToList();
        }
        foreach (var entry in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
        await Task.CompletedTask.ConfigureAwait(false); // the snapshot is taken under the lock; nothing to await
    }

    public ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (path.IsRoot) throw VfsException.Exists(path);
            var parent = WalkToParent(path);
            if (parent.Children.ContainsKey(path.Name)) throw VfsException.Exists(path);
            var now = _time.GetUtcNow();
            var directory = new MemoryDirectoryNode(options, now);
            AddChild(parent, path.Name, directory, now);
            return ValueTask.FromResult(directory.ToAttributes());
        }
    }

    public ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (path.IsRoot) throw VfsException.IsADirectory(path);
            var parent = WalkToParent(path);
            var node = parent.Children.GetValueOrDefault(path.Name) ?? throw VfsException.NotFound(path);
            if (node is MemoryDirectoryNode) throw VfsException.IsADirectory(path);
            RemoveChild(parent, path.Name, _time.GetUtcNow());
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (path.IsRoot) throw new VfsException(Errno.EBUSY, "cannot remove the root");
            var parent = WalkToParent(path);
            var node = parent.Children.GetValueOrDefault(path.Name) ?? throw VfsException.NotFound(path);
            if (node is not MemoryDirectoryNode directory) throw VfsException.NotADirectory(path);
            if (directory.Children.Count > 0) throw VfsException.NotEmpty(path);
            RemoveChild(parent, path.Name, _time.GetUtcNow());
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// rename(2)/renameat2(2). Checks in Linux's order: flags (EINVAL), root (EBUSY), both parents (ENOENT,
    /// ENOTDIR), source missing (ENOENT), NOREPLACE onto an existing target (EEXIST), EXCHANGE with a missing target
    /// (ENOENT), source an ancestor of the target (EINVAL), target an ancestor of the source (ENOTEMPTY; EINVAL for
    /// EXCHANGE), same entry (no-op), then kinds: directory over non-directory ENOTDIR, non-directory over directory
    /// EISDIR, directory over non-empty directory ENOTEMPTY. EXCHANGE swaps any two kinds.
    /// </summary>
    public ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateRenameFlags(flags);
        if (from.IsRoot || to.IsRoot) throw new VfsException(Errno.EBUSY, "cannot rename the root");
        lock (_lock)
        {
            var fromParent = WalkToParent(from);
            var toParent = WalkToParent(to);
            var source = fromParent.Children.GetValueOrDefault(from.Name) ?? throw VfsException.NotFound(from);
            var target = toParent.Children.GetValueOrDefault(to.Name);
            bool exchange = (flags & VfsRenameFlags.Exchange) != 0;
            if ((flags & VfsRenameFlags.NoReplace) != 0 && target is not null) throw VfsException.Exists(to);
            if (exchange && target is null) throw VfsException.NotFound(to);
            if (to.IsDescendantOf(from)) throw VfsException.Invalid($"cannot move /{from} into itself (/{to})");
            if (from.IsDescendantOf(to))
                throw exchange ? VfsException.Invalid($"cannot exchange /{from} with its ancestor /{to}") : VfsException.NotEmpty(to);
            if (ReferenceEquals(source, target)) return ValueTask.CompletedTask;

            var now = _time.GetUtcNow();
            if (exchange)
            {
                fromParent.Children[from.Name] = target!;
                toParent.Children[to.Name] = source;
                target!.ChangeTime = now;
            }
            else
            {
                if (target is not null)
                {
                    if (source is MemoryDirectoryNode && target is not MemoryDirectoryNode) throw VfsException.NotADirectory(to);
                    if (source is not MemoryDirectoryNode && target is MemoryDirectoryNode) throw VfsException.IsADirectory(to);
                    if (target is MemoryDirectoryNode { Children.Count: > 0 }) throw VfsException.NotEmpty(to);
                    target.ChangeTime = now;
                    _nodeCount--;
                }
                fromParent.Children.Remove(from.Name);
                toParent.Children[to.Name] = source;
            }
            source.ChangeTime = now;
            fromParent.Touch(now);
            toParent.Touch(now);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var node = Lookup(path) ?? throw VfsException.NotFound(path);
            if (changes.Size is { } size)
            {
                if (node is MemoryDirectoryNode) throw VfsException.IsADirectory(path);
                if (node is not MemoryFileNode) throw VfsException.Invalid($"cannot truncate a symlink: /{path}");
                PosixRules.ValidateSize(size);
            }
            if (changes.Mode is not null && node is MemorySymlinkNode)
                throw VfsException.NotSupported($"a symlink's mode cannot change: /{path}");

            var now = _time.GetUtcNow();
            if (changes.Size is { } newSize) SetFileSize((MemoryFileNode)node, newSize, now);
            if (changes.Mode is { } mode) node.Mode = mode & VfsAttributes.PermissionMask;
            if (changes.Uid is { } uid) node.Uid = uid;
            if (changes.Gid is { } gid) node.Gid = gid;
            if (changes.AccessTime is { } atime) node.AccessTime = atime;
            if (changes.ModifiedTime is { } mtime) node.ModifiedTime = mtime;
            if (!changes.IsEmpty) node.ChangeTime = now;
            return ValueTask.FromResult(node.ToAttributes());
        }
    }

    public ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateSymlinkTarget(target);
        lock (_lock)
        {
            if (path.IsRoot) throw VfsException.Exists(path);
            var parent = WalkToParent(path);
            if (parent.Children.ContainsKey(path.Name)) throw VfsException.Exists(path);
            var now = _time.GetUtcNow();
            var link = new MemorySymlinkNode(options, now, target);
            AddChild(parent, path.Name, link, now);
            return ValueTask.FromResult(link.ToAttributes());
        }
    }

    public ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var node = Lookup(path) ?? throw VfsException.NotFound(path);
            if (node is not MemorySymlinkNode link) throw VfsException.Invalid($"not a symlink: /{path}");
            return ValueTask.FromResult(link.Target);
        }
    }

    public ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PosixRules.ValidateOpenFlags(flags);
        lock (_lock)
        {
            if (path.IsRoot) throw VfsException.IsADirectory(path);
            var parent = WalkToParent(path);
            var node = parent.Children.GetValueOrDefault(path.Name);
            var now = _time.GetUtcNow();
            bool create = (flags & VfsOpenFlags.Create) != 0;
            if (node is null)
            {
                if (!create) throw VfsException.NotFound(path);
                var file = new MemoryFileNode(options, now, ++_nextFileId);
                AddChild(parent, path.Name, file, now);
                return ValueTask.FromResult<IVfsFile>(new MemoryVfsFile(this, file, flags));
            }
            if (create && (flags & VfsOpenFlags.Exclusive) != 0) throw VfsException.Exists(path);
            if (node is MemoryDirectoryNode) throw VfsException.IsADirectory(path);
            if (node is MemorySymlinkNode) throw new VfsException(Errno.ELOOP, $"is a symlink (not followed): /{path}");
            var existing = (MemoryFileNode)node;
            if ((flags & VfsOpenFlags.Truncate) != 0) SetFileSize(existing, 0, now);
            return ValueTask.FromResult<IVfsFile>(new MemoryVfsFile(this, existing, flags));
        }
    }

    public ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            long usedBlocks = UsedBytes(_root) / BlockSize;
            long free = Math.Max(0, TotalBlocks - usedBlocks);
            return ValueTask.FromResult(new VfsStatFs(BlockSize, TotalBlocks, free, free, TotalFiles, Math.Max(0, TotalFiles - _nodeCount)));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // ---- handle operations (called by MemoryVfsFile) ----

    internal int Read(MemoryFileNode node, long offset, Span<byte> destination)
    {
        lock (_lock) return node.Content.Read(offset, destination);
    }

    internal void Write(MemoryFileNode node, long offset, bool append, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (append) offset = node.Content.Length;
            PosixRules.ValidateRange(offset, data.Length, writing: true);
            if (data.Length == 0) return;
            node.Content.Write(offset, data);
            node.ContentChanged(_time.GetUtcNow());
        }
    }

    internal void Truncate(MemoryFileNode node, long size)
    {
        lock (_lock) SetFileSize(node, size, _time.GetUtcNow());
    }

    internal VfsAttributes GetAttributes(MemoryNode node)
    {
        lock (_lock) return node.ToAttributes();
    }

    // ---- tree walking; all below run under _lock ----

    private static void SetFileSize(MemoryFileNode node, long size, DateTimeOffset now)
    {
        node.Content.SetLength(size);
        node.ContentChanged(now);
    }

    private void AddChild(MemoryDirectoryNode parent, string name, MemoryNode child, DateTimeOffset now)
    {
        parent.Children.Add(name, child);
        parent.Touch(now);
        _nodeCount++;
    }

    private void RemoveChild(MemoryDirectoryNode parent, string name, DateTimeOffset now)
    {
        var child = parent.Children[name];
        parent.Children.Remove(name);
        parent.Touch(now);
        child.ChangeTime = now;
        _nodeCount--;
    }

    /// <summary>The parent directory of <paramref name="path"/>, or the errno of the walk: ENOENT for a missing
    /// component, ENOTDIR for a component that is a file or a symlink (never followed).</summary>
    private Errno? TryWalkToParent(VfsPath path, out MemoryDirectoryNode? parent)
    {
        parent = _root;
        if (path.IsRoot) return null;
        var parentPath = path.Parent;
        if (parentPath.IsRoot) return null;
        foreach (var segment in parentPath.Segments)
        {
            if (!parent.Children.TryGetValue(segment, out var child))
            {
                parent = null;
                return Errno.ENOENT;
            }
            if (child is not MemoryDirectoryNode directory)
            {
                parent = null;
                return Errno.ENOTDIR;
            }
            parent = directory;
        }
        return null;
    }

    private MemoryDirectoryNode WalkToParent(VfsPath path)
    {
        var error = TryWalkToParent(path, out var parent);
        if (error is { } errno) throw new VfsException(errno, $"{errno}: a parent of /{path}");
        return parent!;
    }

    /// <summary>The node at <paramref name="path"/>, null when missing; throws when a parent is missing or not a directory.</summary>
    private MemoryNode? Lookup(VfsPath path) => path.IsRoot ? _root : WalkToParent(path).Children.GetValueOrDefault(path.Name);

    private static long UsedBytes(MemoryNode node) => node switch
    {
        MemoryFileNode file => file.Content.AllocatedBytes,
        MemoryDirectoryNode directory => directory.Children.Values.Sum(UsedBytes),
        _ => 0,
    };
}
