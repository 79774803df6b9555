using Microsoft.Extensions.Logging;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// Server-side copy of one object, for rename and metadata changes. Up to <c>MultipartCopyThreshold</c> (5 GiB, S3's
/// CopyObject limit) one CopyObject; above it a multipart upload of UploadPartCopy parts, several at once. A server
/// that answers UploadPartCopy with NotImplemented (s3rver, some S3-compatible stores) is told once and from then
/// on such objects are copied through this process: ranged GETs fed to a streamed multipart upload, memory bounded
/// as for any write. A failed multipart copy is aborted, so the destination never shows a partial object.
/// </summary>
internal sealed class S3ObjectCopier(S3ObjectClient client, S3VfsOptions options, S3Attributes attributes, TimeProvider time, ILogger logger)
{
    private volatile bool _partCopyUnsupported;

    /// <summary>True once the server has refused UploadPartCopy.</summary>
    public bool PartCopyUnsupported => _partCopyUnsupported;

    /// <summary>Copies <paramref name="source"/> (HEAD result) to <paramref name="destinationKey"/>, with the source's metadata or <paramref name="replaceMetadata"/>.</summary>
    public async Task<string?> CopyAsync(S3ObjectInfo source, string destinationKey, IReadOnlyDictionary<string, string>? replaceMetadata, CancellationToken cancellationToken)
    {
        if (source.Size <= options.MultipartCopyThreshold)
            return await client.CopyAsync(source.Key, destinationKey, replaceMetadata, cancellationToken).ConfigureAwait(false);

        var metadata = replaceMetadata ?? source.Metadata ?? (await client.HeadAsync(source.Key, cancellationToken).ConfigureAwait(false))?.Metadata
            ?? throw new VfsException(Errno.ENOENT, $"S3 COPY '{source.Key}': the object disappeared");
        if (!_partCopyUnsupported)
        {
            try
            {
                return await MultipartCopyAsync(source, destinationKey, metadata, cancellationToken).ConfigureAwait(false);
            }
            catch (VfsException e) when (e.Errno == Errno.ENOSYS)
            {
                _partCopyUnsupported = true;
                client.WarnOnce("part-copy-unsupported",
                    $"the S3 server does not support UploadPartCopy ({e.Message}); objects over {options.MultipartCopyThreshold} bytes are copied by GET and upload instead");
            }
        }
        return await CopyThroughClientAsync(source, destinationKey, metadata, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> MultipartCopyAsync(S3ObjectInfo source, string destinationKey, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        long partSize = Math.Max(options.PartSize, (source.Size + S3VfsOptions.MaxParts - 1) / S3VfsOptions.MaxParts);
        int partCount = (int)((source.Size + partSize - 1) / partSize);
        var uploadId = await client.InitiateMultipartAsync(destinationKey, metadata, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new (int, string)[partCount];
            async ValueTask CopyPartAsync(int i, CancellationToken token)
            {
                long first = i * partSize;
                long last = Math.Min(source.Size, first + partSize) - 1;
                parts[i] = (i + 1, await client.CopyPartAsync(source.Key, destinationKey, uploadId, i + 1, first, last, token).ConfigureAwait(false));
            }
            // The first part alone: a server without UploadPartCopy is then asked once, not once per part in flight.
            await CopyPartAsync(0, cancellationToken).ConfigureAwait(false);
            await Parallel.ForAsync(1, partCount, new ParallelOptions { MaxDegreeOfParallelism = options.UploadConcurrency, CancellationToken = cancellationToken },
                CopyPartAsync).ConfigureAwait(false);
            return await client.CompleteMultipartAsync(destinationKey, uploadId, parts, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await client.AbortMultipartAsync(destinationKey, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string?> CopyThroughClientAsync(S3ObjectInfo source, string destinationKey, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var sourceAttributes = attributes.Object(source with { Metadata = metadata });
        var writer = new S3WriteFile(client, options, destinationKey, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate,
            sourceAttributes, metadata, time, logger, onClosed: null);
        // the copy keeps the source's mtime rather than taking the time of the copy
        writer.ApplyChanges(new VfsAttributeChanges { ModifiedTime = sourceAttributes.ModifiedTime });
        var buffer = new byte[options.PartSize];
        try
        {
            for (long offset = 0; offset < source.Size;)
            {
                int length = (int)Math.Min(buffer.Length, source.Size - offset);
                int n = await client.GetRangeAsync(source.Key, offset, buffer.AsMemory(0, length), source.ETag, cancellationToken).ConfigureAwait(false);
                if (n != length) throw new VfsException(Errno.ESTALE, $"S3 COPY '{source.Key}': the object changed during the copy");
                await writer.WriteAsync(offset, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                offset += n;
            }
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return (await writer.GetAttrAsync(cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch (Exception)
        {
            writer.Discard();
            throw;
        }
    }
}
