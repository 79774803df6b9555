using Vfs.Abstractions;

namespace Vfs.Cache.Metadata;

/// <summary>What the metadata cache learned about an entry from the inner layer (another writer changed it).</summary>
public enum VfsChangeKind
{
    /// <summary>A name known absent (a negative entry) now exists. The kernel may hold a negative dentry: inval_entry.</summary>
    Created,

    /// <summary>
    /// Same kind of entry, another version: ETag differs (when both have one), or size or mtime differ. Pages and
    /// attributes the kernel holds are stale: inval_inode; a content cache drops the old version.
    /// </summary>
    Modified,

    /// <summary>
    /// The entry is gone, or the name now holds an entry of another kind (a file became a directory): the kernel's
    /// dentry is stale: inval_entry (the next lookup makes a new inode).
    /// </summary>
    Deleted,
}

/// <summary>
/// One change the metadata cache learned of. <see cref="Before"/> is what the cache held (null for
/// <see cref="VfsChangeKind.Created"/>), <see cref="After"/> what the inner layer answers now (null for
/// <see cref="VfsChangeKind.Deleted"/> of a vanished entry), so a listener can tell its own upload (an ETag it
/// wrote) from another writer's change.
/// </summary>
public readonly record struct VfsChange(VfsPath Path, VfsChangeKind Kind, VfsAttributes? Before, VfsAttributes? After);

/// <summary>
/// Receives the changes <see cref="MetadataCacheVfs"/> learns of while revalidating (never the mount's own
/// mutations: whoever sits above issued those and knows). Subscribe with <see cref="MetadataCacheVfs.Subscribe"/>.
/// </summary>
/// <remarks>
/// Called synchronously on the thread of the lookup or listing that found the change, after the cache's state is
/// updated and with no cache lock held. It must return quickly and must not call back into the filesystem or wait
/// on a FUSE request: the FUSE adapter queues the kernel notification and sends it from its own task, because
/// inval_entry/inval_inode issued from inside a related request (a lookup in the same directory) deadlock in the
/// kernel. An exception thrown by a listener is caught and counted (<see cref="MetadataCacheStats.ListenerFailures"/>).
/// </remarks>
public interface IVfsChangeListener
{
    void OnEntryChanged(VfsChange change);
}
