using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>One entry of the reference model's tree.</summary>
public readonly record struct ModelEntry(VfsPath Path, VfsEntryKind Kind);

/// <summary>
/// An open handle as the harness tracks it: the same id names the reference's and the system's handle. The path
/// follows renames and becomes null when the file is unlinked or replaced, so a policy can ask "is this file open
/// for writing" (S3-like stores make writes visible at close).
/// </summary>
public sealed class ModelHandle(int id, VfsPath path, VfsOpenFlags flags)
{
    public int Id { get; } = id;

    public VfsPath? Path { get; internal set; } = path;

    public VfsOpenFlags Flags { get; } = flags;

    /// <summary>The end of what this handle wrote since an open with O_TRUNC, or -1 when unknown (sequential writers append here).</summary>
    public long SequentialEnd { get; internal set; } = flags.HasFlag(VfsOpenFlags.Truncate) ? 0 : -1;

    public bool CanWrite => Flags.HasFlag(VfsOpenFlags.Write);

    public override string ToString() => $"h{Id} {Path?.ToString() ?? "(unlinked)"} {ModelFormat.Flags(Flags)}";
}

/// <summary>
/// What an operation sees when it is resolved: the reference model's entries (sorted), the open handles (by id)
/// and the stack's capabilities. Built afresh before every step.
/// </summary>
public sealed class ModelState(IReadOnlyList<ModelEntry> entries, IReadOnlyList<ModelHandle> handles, VfsCapabilities capabilities, int nextHandleId)
{
    public IReadOnlyList<ModelEntry> Entries { get; } = entries;

    public IReadOnlyList<ModelHandle> Handles { get; } = handles;

    public VfsCapabilities Capabilities { get; } = capabilities;

    /// <summary>The id the next successful open gets.</summary>
    public int NextHandleId { get; } = nextHandleId;

    /// <summary>The root and the directories of depth 1 and 2: where <see cref="PathRef.Child"/> creates.</summary>
    public IReadOnlyList<VfsPath> Directories =>
        _directories ??= [VfsPath.Root, .. Entries.Where(e => e.Kind == VfsEntryKind.Directory && e.Path.Depth <= 2).Select(e => e.Path)];

    private IReadOnlyList<VfsPath>? _directories;

    public VfsEntryKind? KindOf(VfsPath path)
    {
        if (path.IsRoot) return VfsEntryKind.Directory;
        foreach (var entry in Entries)
            if (entry.Path == path) return entry.Kind;
        return null;
    }

    /// <summary>True when a proper ancestor of <paramref name="path"/> is a symlink (the kernel resolves those before any IVfs call).</summary>
    public bool HasSymlinkAncestor(VfsPath path)
    {
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
            if (KindOf(parent) == VfsEntryKind.Symlink) return true;
        return false;
    }

    public ModelHandle? Handle(int id)
    {
        foreach (var handle in Handles)
            if (handle.Id == id) return handle;
        return null;
    }

    /// <summary>True when some open handle may write to the file now at <paramref name="path"/>.</summary>
    public bool IsOpenForWriting(VfsPath path) => Handles.Any(h => h.CanWrite && h.Path == path);
}
