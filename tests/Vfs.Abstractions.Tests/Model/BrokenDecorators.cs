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

/// <summary>
/// Caches attributes and directory listings until its own next change, never noticing a change made in the store
/// behind its back: right for a stack alone, wrong once the store changes out of band.
/// </summary>
internal sealed class StaleListingCacheVfs(IVfs inner) : ForwardingVfs(inner)
{
    private readonly Dictionary<VfsPath, List<VfsEntry>> _listings = [];
    private readonly Dictionary<VfsPath, VfsAttributes?> _attributes = [];

    public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (!_attributes.TryGetValue(path, out var attributes))
            _attributes[path] = attributes = await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        return attributes;
    }

    public override async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_listings.TryGetValue(path, out var entries))
        {
            entries = [];
            await foreach (var entry in Inner.ListAsync(path, cancellationToken).ConfigureAwait(false)) entries.Add(entry);
            _listings[path] = entries;
        }
        foreach (var entry in entries) yield return entry;
    }

    private void Changed()
    {
        _listings.Clear();
        _attributes.Clear();
    }

    public override ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.MkdirAsync(path, options, cancellationToken);
    }

    public override ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.RemoveAsync(path, cancellationToken);
    }

    public override ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.RmdirAsync(path, cancellationToken);
    }

    public override ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.RenameAsync(from, to, flags, cancellationToken);
    }

    public override ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.SetAttrAsync(path, changes, cancellationToken);
    }

    public override ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        Changed();
        return Inner.SymlinkAsync(path, target, options, cancellationToken);
    }

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        Changed();
        return new ChangingFile(this, await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false));
    }

    private sealed class ChangingFile(StaleListingCacheVfs owner, IVfsFile inner) : ForwardingVfsFile(inner)
    {
        public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            owner.Changed();
            return Inner.WriteAsync(offset, data, cancellationToken);
        }

        public override ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
        {
            owner.Changed();
            return Inner.TruncateAsync(size, cancellationToken);
        }
    }
}

/// <summary>
/// An S3-like envelope over a POSIX store (not a broken layer: a limited one): writes only whole files, sequentially,
/// through write-only O_TRUNC opens; no append, no truncate. It refuses anything else with ENOTSUP, so the harness
/// passes only if its policy keeps to what the stated capabilities allow.
/// </summary>
internal sealed class SequentialWriteOnlyVfs(IVfs inner) : ForwardingVfs(inner)
{
    public const VfsCapabilities Limited = VfsCapabilities.Posix & ~(VfsCapabilities.RandomWrite | VfsCapabilities.Append | VfsCapabilities.Truncate);

    public override VfsCapabilities Capabilities => Limited;

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if (flags.HasFlag(VfsOpenFlags.Write) && (flags.HasFlag(VfsOpenFlags.Read) || flags.HasFlag(VfsOpenFlags.Append) || !flags.HasFlag(VfsOpenFlags.Truncate)))
            throw VfsException.NotSupported($"open /{path} {flags}: only write-only O_TRUNC opens write");
        return new SequentialFile(await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false));
    }

    public override ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken) =>
        changes.Size is not null ? throw VfsException.NotSupported("no truncate") : Inner.SetAttrAsync(path, changes, cancellationToken);

    private sealed class SequentialFile(IVfsFile inner) : ForwardingVfsFile(inner)
    {
        private long _end;

        public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (offset != _end) throw VfsException.NotSupported($"write at {offset}, the end is {_end}: sequential writes only");
            await Inner.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
            _end += data.Length;
        }

        public override ValueTask TruncateAsync(long size, CancellationToken cancellationToken) => throw VfsException.NotSupported("no truncate");
    }
}
