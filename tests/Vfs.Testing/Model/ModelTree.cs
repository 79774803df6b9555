using System.Text;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>Walks a whole tree: the reference's entries for resolving targets, and the rendered tree with contents that is compared.</summary>
public static class ModelTree
{
    /// <summary>Every entry below the root, sorted by path.</summary>
    public static async ValueTask<List<ModelEntry>> EntriesAsync(IVfs vfs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vfs);
        var entries = new List<ModelEntry>();
        await WalkAsync(vfs, VfsPath.Root, (path, attributes) => entries.Add(new ModelEntry(path, attributes.Kind)), cancellationToken).ConfigureAwait(false);
        entries.Sort((x, y) => x.Path.CompareTo(y.Path));
        return entries;
    }

    /// <summary>One line per entry, sorted: path, attributes, and the content of files and symlinks.</summary>
    public static async ValueTask<string> RenderAsync(IVfs vfs, VfsCapabilities capabilities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vfs);
        var found = new List<(VfsPath Path, VfsAttributes Attributes)>();
        await WalkAsync(vfs, VfsPath.Root, (path, attributes) => found.Add((path, attributes)), cancellationToken).ConfigureAwait(false);
        found.Sort((x, y) => x.Path.CompareTo(y.Path));
        var text = new StringBuilder();
        text.Append(found.Count).Append(" entries");
        foreach (var (path, attributes) in found)
        {
            text.Append('\n').Append(path).Append(' ').Append(ModelFormat.Attributes(attributes, capabilities));
            if (attributes.IsFile)
                text.Append(' ').Append(ModelFormat.Quote(await vfs.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)));
            else if (attributes.IsSymlink)
                text.Append(" -> ").Append(ModelFormat.Quote(await vfs.ReadlinkAsync(path, cancellationToken).ConfigureAwait(false)));
        }
        return text.ToString();
    }

    private static async ValueTask WalkAsync(IVfs vfs, VfsPath directory, Action<VfsPath, VfsAttributes> visit, CancellationToken cancellationToken)
    {
        var children = new List<VfsEntry>();
        await foreach (var entry in vfs.ListAsync(directory, cancellationToken).ConfigureAwait(false)) children.Add(entry);
        foreach (var child in children)
        {
            var path = directory.Combine(child.Name);
            visit(path, child.Attributes);
            if (child.Attributes.IsDirectory) await WalkAsync(vfs, path, visit, cancellationToken).ConfigureAwait(false);
        }
    }
}
