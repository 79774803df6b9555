using Vfs.Abstractions;

namespace Vfs.Fuse;

/// <summary>
/// The kernel's view of the namespace: inode numbers handed out for paths, with the kernel's lookup counts.
/// </summary>
/// <remarks>
/// Design: an inode is created the first time the kernel is told of a path (lookup, create, mkdir, symlink, mknod,
/// readdirplus) and lives until the kernel forgets it (its lookup count falls to zero); numbers are never reused,
/// so the generation is always 0. The root is inode 1 and is never forgotten. rename moves the inode of the source
/// and of everything below it to the new path (the kernel keeps its inodes across a rename); the inodes of a
/// replaced target, of an unlinked file and of a removed directory are detached: they keep their number until
/// FORGET but no longer answer to a path, so a later entry of the same name gets a new inode.
/// Open handles are attached to their inode so that getattr of an unlinked but open file still answers.
/// Locking: one lock (<see cref="_gate"/>) guards both maps and every inode's fields; nothing is awaited or called
/// out of this class while it is held.
/// </remarks>
internal sealed class InodeTable
{
    public const ulong RootIno = 1;

    private readonly object _gate = new();
    private readonly Dictionary<ulong, Inode> _byIno = new();
    private readonly Dictionary<VfsPath, Inode> _byPath = new();
    private ulong _nextIno = RootIno + 1;

    public InodeTable()
    {
        var root = new Inode(RootIno, VfsPath.Root) { Lookups = 1 };
        _byIno.Add(RootIno, root);
        _byPath.Add(VfsPath.Root, root);
    }

    /// <summary>Number of inodes the kernel holds (root included).</summary>
    public int Count
    {
        get { lock (_gate) return _byIno.Count; }
    }

    /// <summary>The inode of <paramref name="path"/> (created if new) with its lookup count raised by one.</summary>
    public ulong Remember(VfsPath path)
    {
        lock (_gate)
        {
            if (!_byPath.TryGetValue(path, out var inode))
            {
                inode = new Inode(_nextIno++, path);
                _byIno.Add(inode.Ino, inode);
                _byPath.Add(path, inode);
            }
            inode.Lookups++;
            return inode.Ino;
        }
    }

    /// <summary>FORGET: the kernel dropped <paramref name="count"/> references to <paramref name="ino"/>.</summary>
    public void Forget(ulong ino, ulong count)
    {
        if (ino == RootIno) return;
        lock (_gate)
        {
            if (!_byIno.TryGetValue(ino, out var inode)) return;
            inode.Lookups = count >= inode.Lookups ? 0 : inode.Lookups - count;
            if (inode.Lookups > 0) return;
            _byIno.Remove(ino);
            if (!inode.Detached && _byPath.TryGetValue(inode.Path, out var current) && current == inode)
                _byPath.Remove(inode.Path);
        }
    }

    /// <summary>The path of a live inode; false when the number is unknown or its entry is gone.</summary>
    public bool TryGetPath(ulong ino, out VfsPath path)
    {
        lock (_gate)
        {
            if (_byIno.TryGetValue(ino, out var inode) && !inode.Detached)
            {
                path = inode.Path;
                return true;
            }
            path = default;
            return false;
        }
    }

    /// <summary>True when the kernel still holds <paramref name="ino"/> (detached or not).</summary>
    public bool IsKnown(ulong ino)
    {
        lock (_gate) return _byIno.ContainsKey(ino);
    }

    /// <summary>The inode currently named <paramref name="path"/>, if the kernel knows it.</summary>
    public bool TryGetIno(VfsPath path, out ulong ino)
    {
        lock (_gate)
        {
            if (_byPath.TryGetValue(path, out var inode))
            {
                ino = inode.Ino;
                return true;
            }
            ino = 0;
            return false;
        }
    }

    /// <summary>unlink/rmdir/replaced by rename: <paramref name="path"/> and everything below it lose their names.</summary>
    public void Detach(VfsPath path)
    {
        lock (_gate)
        {
            foreach (var inode in TakeSubtree(path)) inode.Detached = true;
        }
    }

    /// <summary>
    /// Another version of the file took <paramref name="path"/> (another writer replaced it): the next lookup makes a
    /// new inode, while the current one keeps its path, so files open on it and opens racing with the kernel's
    /// dentry invalidation still work, until the kernel forgets it.
    /// </summary>
    public void Supersede(VfsPath path)
    {
        lock (_gate)
        {
            if (_byPath.Remove(path, out var inode)) inode.Superseded = true;
        }
    }

    /// <summary>True when <see cref="Supersede"/> gave the inode's name to a newer version.</summary>
    public bool IsSuperseded(ulong ino)
    {
        lock (_gate) return _byIno.TryGetValue(ino, out var inode) && inode.Superseded;
    }

    /// <summary>rename(2) succeeded: the source subtree moves; a replaced target is detached (or, for an exchange, moves back).</summary>
    public void Rename(VfsPath from, VfsPath to, bool exchange)
    {
        lock (_gate)
        {
            var moving = TakeSubtree(from);
            var displaced = TakeSubtree(to);
            foreach (var inode in moving) Rekey(inode, inode.Path.Rebase(from, to));
            foreach (var inode in displaced)
            {
                if (exchange) Rekey(inode, inode.Path.Rebase(to, from));
                else inode.Detached = true;
            }
        }
    }

    public void AttachHandle(ulong ino, FileHandle handle)
    {
        lock (_gate)
        {
            if (_byIno.TryGetValue(ino, out var inode)) (inode.Handles ??= []).Add(handle);
        }
    }

    public void DetachHandle(ulong ino, FileHandle handle)
    {
        lock (_gate)
        {
            if (_byIno.TryGetValue(ino, out var inode)) inode.Handles?.Remove(handle);
        }
    }

    /// <summary>An open handle of <paramref name="ino"/>, which sees unflushed writes and outlives unlink.</summary>
    public FileHandle? FindOpenHandle(ulong ino)
    {
        lock (_gate)
        {
            return _byIno.TryGetValue(ino, out var inode) && inode.Handles is { Count: > 0 } handles ? handles[^1] : null;
        }
    }

    /// <summary>
    /// Records the version (mtime, size) a file has at open and says whether it equals the version of the previous
    /// open: then the kernel may keep the pages it cached for the inode (keep_cache).
    /// </summary>
    /// <remarks>The ETag counts when the store has one: S3's mtime has one-second resolution, so two versions of
    /// the same size written within a second differ only by it.</remarks>
    public bool OpenedUnchanged(ulong ino, long modifiedTicks, long size, string? etag = null)
    {
        lock (_gate)
        {
            if (!_byIno.TryGetValue(ino, out var inode)) return false;
            bool same = inode.OpenedVersion == (modifiedTicks, size, etag);
            inode.OpenedVersion = (modifiedTicks, size, etag);
            return same;
        }
    }

    private List<Inode> TakeSubtree(VfsPath root)
    {
        var taken = new List<Inode>();
        if (_byPath.TryGetValue(root, out var top)) taken.Add(top);
        // Only a directory has descendants; a scan is bounded by what the kernel holds in its inode cache.
        foreach (var (path, inode) in _byPath)
        {
            if (path.IsDescendantOf(root)) taken.Add(inode);
        }
        foreach (var inode in taken) _byPath.Remove(inode.Path);
        return taken;
    }

    private void Rekey(Inode inode, VfsPath path)
    {
        inode.Path = path;
        _byPath[path] = inode;
    }

    private sealed class Inode(ulong ino, VfsPath path)
    {
        public ulong Ino { get; } = ino;

        public VfsPath Path { get; set; } = path;

        public ulong Lookups { get; set; }

        public bool Detached { get; set; }

        public bool Superseded { get; set; }

        public List<FileHandle>? Handles { get; set; }

        public (long ModifiedTicks, long Size, string? ETag)? OpenedVersion { get; set; }
    }
}
