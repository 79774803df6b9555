namespace Vfs.Abstractions.Memory;

/// <summary>
/// One inode of <see cref="MemoryVfs"/>. A directory entry points at a node; an open handle points at the node too,
/// so renaming or unlinking the entry leaves the handle working on the same data (data by handle).
/// All fields are guarded by the owning <see cref="MemoryVfs"/>'s lock.
/// </summary>
internal abstract class MemoryNode
{
    protected MemoryNode(VfsCreateOptions options, DateTimeOffset now)
    {
        Mode = options.Mode & VfsAttributes.PermissionMask;
        Uid = options.Uid;
        Gid = options.Gid;
        AccessTime = ModifiedTime = ChangeTime = now;
    }

    public abstract VfsEntryKind Kind { get; }

    public int Mode { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public DateTimeOffset AccessTime { get; set; }

    public DateTimeOffset ModifiedTime { get; set; }

    public DateTimeOffset ChangeTime { get; set; }

    protected abstract long Size { get; }

    protected virtual string? ETag => null;

    /// <summary>Content changed: mtime and ctime move (write, truncate, entries added or removed).</summary>
    public void Touch(DateTimeOffset now) => ModifiedTime = ChangeTime = now;

    public VfsAttributes ToAttributes() => new()
    {
        Kind = Kind,
        Size = Size,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        AccessTime = AccessTime,
        ModifiedTime = ModifiedTime,
        ChangeTime = ChangeTime,
        ETag = ETag,
    };
}

internal sealed class MemoryFileNode(VfsCreateOptions options, DateTimeOffset now, long id) : MemoryNode(options, now)
{
    private long _version;

    public SparseContent Content { get; } = new();

    public override VfsEntryKind Kind => VfsEntryKind.File;

    protected override long Size => Content.Length;

    /// <summary>Node id and content version: a new value after every change of the bytes, as a store's ETag would be.</summary>
    protected override string? ETag => $"{id:x}-{_version:x}";

    public void ContentChanged(DateTimeOffset now)
    {
        _version++;
        Touch(now);
    }
}

internal sealed class MemoryDirectoryNode(VfsCreateOptions options, DateTimeOffset now) : MemoryNode(options, now)
{
    /// <summary>Children by name, ordinal order, so listings are deterministic.</summary>
    public SortedDictionary<string, MemoryNode> Children { get; } = new(StringComparer.Ordinal);

    public override VfsEntryKind Kind => VfsEntryKind.Directory;

    protected override long Size => 0;
}

/// <summary>A symlink's permission bits are always 0777, as on Linux, whatever mode the creator asked for.</summary>
internal sealed class MemorySymlinkNode(VfsCreateOptions options, DateTimeOffset now, string target)
    : MemoryNode(options with { Mode = SymlinkMode }, now)
{
    public const int SymlinkMode = 0b111_111_111; // 0777

    public string Target { get; } = target;

    public override VfsEntryKind Kind => VfsEntryKind.Symlink;

    protected override long Size => System.Text.Encoding.UTF8.GetByteCount(Target);
}
