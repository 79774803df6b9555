using Vfs.Abstractions;

namespace Vfs.Abstractions.Tests.Model;

// Deliberately wrong layers: the harness must catch each of them and shrink the counterexample.

/// <summary>Loses a write made through an O_APPEND handle when the file already has content (the second append).</summary>
internal sealed class LosesAppendVfs(IVfs inner) : ForwardingVfs(inner)
{
    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken) =>
        new LosesAppendFile(await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false));

    private sealed class LosesAppendFile(IVfsFile inner) : ForwardingVfsFile(inner)
    {
        public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (Flags.HasFlag(VfsOpenFlags.Append) && (await Inner.GetAttrAsync(cancellationToken).ConfigureAwait(false)).Size > 0) return;
            await Inner.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Lets a directory be renamed over a non-empty directory (it deletes the target's contents first) instead of ENOTEMPTY.</summary>
internal sealed class RenameOverNonEmptyDirectoryVfs(IVfs inner) : ForwardingVfs(inner)
{
    public override async ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        var source = await ProbeAsync(from, cancellationToken).ConfigureAwait(false);
        var target = await ProbeAsync(to, cancellationToken).ConfigureAwait(false);
        if (flags == VfsRenameFlags.None && source is { IsDirectory: true } && target is { IsDirectory: true } && !to.IsSameOrDescendantOf(from) && !from.IsSameOrDescendantOf(to))
            await EmptyAsync(to, cancellationToken).ConfigureAwait(false);
        await Inner.RenameAsync(from, to, flags, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<VfsAttributes?> ProbeAsync(VfsPath path, CancellationToken cancellationToken)
    {
        try
        {
            return await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (VfsException)
        {
            return null; // only the rename rule is wrong here: the probe must not change which errno rename gives
        }
    }

    private async ValueTask EmptyAsync(VfsPath directory, CancellationToken cancellationToken)
    {
        var children = new List<VfsEntry>();
        await foreach (var entry in Inner.ListAsync(directory, cancellationToken).ConfigureAwait(false)) children.Add(entry);
        foreach (var child in children)
        {
            var path = directory.Combine(child.Name);
            if (child.Attributes.IsDirectory)
            {
                await EmptyAsync(path, cancellationToken).ConfigureAwait(false);
                await Inner.RmdirAsync(path, cancellationToken).ConfigureAwait(false);
            }
            else await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }
}
