namespace Vfs.Abstractions;

public enum VfsEntryKind
{
    File,
    Directory,
    Symlink,
}

/// <summary>
/// What stat(2) shows of an entry. <see cref="Mode"/> holds the permission bits only (07777); the file type is
/// <see cref="Kind"/>. <see cref="ETag"/> is the store's version fingerprint where it has one (S3's ETag), used by
/// the caches to tell versions apart; null for stores without one.
/// </summary>
public sealed record VfsAttributes
{
    public const int PermissionMask = 0b111_111_111_111; // 07777

    public required VfsEntryKind Kind { get; init; }

    /// <summary>Bytes of content; for a directory 0 (the adapter may report a block); for a symlink the target's length.</summary>
    public long Size { get; init; }

    /// <summary>Permission bits (07777).</summary>
    public int Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public DateTimeOffset ModifiedTime { get; init; }

    public DateTimeOffset AccessTime { get; init; }

    public DateTimeOffset ChangeTime { get; init; }

    public string? ETag { get; init; }

    public bool IsDirectory => Kind == VfsEntryKind.Directory;

    public bool IsFile => Kind == VfsEntryKind.File;

    public bool IsSymlink => Kind == VfsEntryKind.Symlink;
}

/// <summary>One entry of a directory listing: its name and its attributes (one LIST answers readdir and lookups).</summary>
public readonly record struct VfsEntry(string Name, VfsAttributes Attributes);

/// <summary>A setattr request: each non-null field is to be changed. Times are concrete (UTIME_NOW is resolved by the caller).</summary>
public readonly record struct VfsAttributeChanges
{
    public int? Mode { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    /// <summary>Truncate or extend to this size (files only).</summary>
    public long? Size { get; init; }

    public DateTimeOffset? AccessTime { get; init; }

    public DateTimeOffset? ModifiedTime { get; init; }

    public bool IsEmpty => Mode is null && Uid is null && Gid is null && Size is null && AccessTime is null && ModifiedTime is null;
}

/// <summary>Who creates a new entry and with which permission bits (the caller's uid/gid after umask).</summary>
public readonly record struct VfsCreateOptions(int Mode, uint Uid = 0, uint Gid = 0)
{
    public static VfsCreateOptions File => new(0b110_100_100); // 0644

    public static VfsCreateOptions Directory => new(0b111_101_101); // 0755
}

/// <summary>What statfs(2) reports.</summary>
public readonly record struct VfsStatFs(
    long BlockSize,
    long TotalBlocks,
    long FreeBlocks,
    long AvailableBlocks,
    long TotalFiles,
    long FreeFiles,
    int MaxNameLength = VfsPath.MaxSegmentBytes);
