namespace Vfs.Abstractions;

/// <summary>Conveniences over <see cref="IVfs"/> that every caller would otherwise write again.</summary>
public static class VfsExtensions
{
    /// <summary>The attributes of <paramref name="path"/>; ENOENT when it does not exist.</summary>
    public static async ValueTask<VfsAttributes> GetAttrAsync(this IVfs vfs, VfsPath path, CancellationToken cancellationToken) =>
        await vfs.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);

    public static bool Has(this VfsCapabilities capabilities, VfsCapabilities wanted) => (capabilities & wanted) == wanted;

    /// <summary>Writes a whole file (create or replace) in one call.</summary>
    public static async ValueTask WriteAllBytesAsync(this IVfs vfs, VfsPath path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var file = await vfs.OpenAsync(path, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            if (content.Length > 0) await file.WriteAsync(0, content, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a whole file in one call.</summary>
    public static async ValueTask<byte[]> ReadAllBytesAsync(this IVfs vfs, VfsPath path, CancellationToken cancellationToken = default)
    {
        var file = await vfs.OpenAsync(path, VfsOpenFlags.Read, default, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            long offset = 0;
            while (true)
            {
                int n = await file.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                output.Write(buffer, 0, n);
                offset += n;
            }
            return output.ToArray();
        }
    }
}
