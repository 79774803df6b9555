using System.Runtime.InteropServices;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// Turns what S3 says of an object (HEAD with metadata, or a LIST entry without) into <see cref="VfsAttributes"/>:
/// the metadata of <see cref="S3Metadata"/> where present, else LastModified and the mount's default modes and owner.
/// A stored mode's type bits decide symlink vs file; a directory's come from its marker object when it has one.
/// </summary>
internal sealed partial class S3Attributes
{
    private readonly S3VfsOptions _options;

    public S3Attributes(S3VfsOptions options)
    {
        _options = options;
        Uid = options.DefaultUid ?? (OperatingSystem.IsLinux() ? GetUid() : 0);
        Gid = options.DefaultGid ?? (OperatingSystem.IsLinux() ? GetGid() : 0);
    }

    public uint Uid { get; }

    public uint Gid { get; }

    /// <summary>A file or symlink from HEAD (metadata present) or LIST (metadata null).</summary>
    public VfsAttributes Object(S3ObjectInfo info)
    {
        var metadata = info.Metadata ?? new Dictionary<string, string>();
        int? stored = S3Metadata.ParseMode(metadata);
        var kind = stored is { } m && (m & S3Metadata.TypeMask) == S3Metadata.SymlinkType ? VfsEntryKind.Symlink : VfsEntryKind.File;
        var mtime = S3Metadata.ParseTime(metadata, S3Metadata.MTime) ?? info.LastModified;
        return new VfsAttributes
        {
            Kind = kind,
            Size = info.Size,
            Mode = stored is { } mode ? mode & VfsAttributes.PermissionMask : kind == VfsEntryKind.Symlink ? 0b111_111_111 : _options.DefaultFileMode,
            Uid = S3Metadata.ParseId(metadata, S3Metadata.Uid) ?? Uid,
            Gid = S3Metadata.ParseId(metadata, S3Metadata.Gid) ?? Gid,
            ModifiedTime = mtime,
            AccessTime = S3Metadata.ParseTime(metadata, S3Metadata.ATime) ?? mtime,
            ChangeTime = info.LastModified,
            ETag = info.ETag,
        };
    }

    /// <summary>A directory, from its marker's HEAD when it has one, else implicit (a common prefix only).</summary>
    public VfsAttributes Directory(S3ObjectInfo? marker, DateTimeOffset implicitTime)
    {
        var metadata = marker?.Metadata ?? new Dictionary<string, string>();
        var changed = marker?.LastModified ?? implicitTime;
        var mtime = S3Metadata.ParseTime(metadata, S3Metadata.MTime) ?? changed;
        return new VfsAttributes
        {
            Kind = VfsEntryKind.Directory,
            Mode = S3Metadata.ParseMode(metadata) is { } mode ? mode & VfsAttributes.PermissionMask : _options.DefaultDirectoryMode,
            Uid = S3Metadata.ParseId(metadata, S3Metadata.Uid) ?? Uid,
            Gid = S3Metadata.ParseId(metadata, S3Metadata.Gid) ?? Gid,
            ModifiedTime = mtime,
            AccessTime = S3Metadata.ParseTime(metadata, S3Metadata.ATime) ?? mtime,
            ChangeTime = changed,
            ETag = marker?.ETag,
        };
    }

    /// <summary>A new entry's attributes as created by this mount.</summary>
    public static VfsAttributes New(VfsEntryKind kind, VfsCreateOptions options, long size, DateTimeOffset now, string? etag = null) => new()
    {
        Kind = kind,
        Size = size,
        Mode = kind == VfsEntryKind.Symlink ? 0b111_111_111 : options.Mode & VfsAttributes.PermissionMask,
        Uid = options.Uid,
        Gid = options.Gid,
        ModifiedTime = now,
        AccessTime = now,
        ChangeTime = now,
        ETag = etag,
    };

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    private static partial uint GetGid();
}
