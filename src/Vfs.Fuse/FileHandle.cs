using Vfs.Abstractions;

namespace Vfs.Fuse;

/// <summary>An open file as the kernel knows it (fuse_file_info.fh): the layer's handle and the inode it was opened on.</summary>
internal sealed class FileHandle(ulong ino, IVfsFile file)
{
    public ulong Ino { get; } = ino;

    public IVfsFile File { get; } = file;
}

/// <summary>
/// An open directory: a snapshot of its listing taken at the first readdir (and again at a rewind, offset 0), so
/// that offsets are stable for the life of the handle: entry i of the snapshot is offset i + 3 ("." is 1, ".." is 2).
/// The kernel serializes readdir on one handle; the semaphore keeps a stray concurrent call correct anyway.
/// </summary>
internal sealed class DirectoryHandle(ulong ino, VfsPath path)
{
    public ulong Ino { get; } = ino;

    public VfsPath Path { get; } = path;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public List<VfsEntry>? Snapshot { get; set; }
}
