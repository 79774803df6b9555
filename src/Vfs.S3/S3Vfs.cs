using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// A bucket, or a key prefix of one, as a filesystem (DESIGN.md "S3 mapping"): files are objects, directories are
/// common prefixes and/or <c>dir/</c> marker objects, symlinks are objects holding their target, mode/owner/times
/// live in s3fs-fuse's metadata names. Reads at any offset (ranged GETs, prefetched for sequential readers); writes
/// only whole objects, sequentially (<see cref="S3WriteFile"/>). Every S3 call goes through one resilience pipeline.
/// </summary>
/// <remarks>
/// Rules worth knowing: a key <c>a</c> beside keys <c>a/...</c> shows as the directory (the file is hidden, with one
/// warning); keys that are not valid names (<c>a//b</c>, <c>.</c>, <c>..</c>, segments over 255 bytes) are left out
/// of listings with one warning each; rename of a directory copies and deletes every object below it, one by one
/// (not atomic: a failure part-way leaves the copied objects at both places and the source complete); a lookup of
/// <c>a/b/c</c> below a file <c>a</c> answers ENOENT, not ENOTDIR (only the immediate parent is checked, on a miss).
/// State: <c>_writers</c> maps a key to the handle writing it while its object is not yet uploaded, so the path
/// shows the writer's view (a file just created exists before its first upload); it is a concurrent map and no
/// lock is held across an S3 call.
/// </remarks>
public sealed class S3Vfs : IVfs
{
    private const int ListPageSize = 1000;

    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;
    private readonly S3VfsOptions _options;
    private readonly string _prefix;
    private readonly S3Attributes _attributes;
    private readonly S3ObjectCopier _copier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _mountTime;
    private readonly ConcurrentDictionary<string, S3WriteFile> _writers = new(StringComparer.Ordinal);
    private readonly S3OpenReaders _readers = new();
    private VfsAttributes? _root;

    /// <param name="s3">The SDK client (see <see cref="S3ClientFactory"/>); its own retries should be off.</param>
    /// <param name="pipeline">The resilience pipeline; by default built from <see cref="S3VfsOptions.Resilience"/>.</param>
    public S3Vfs(IAmazonS3 s3, S3VfsOptions options, ILogger? logger = null, TimeProvider? timeProvider = null,
        ResiliencePipeline? pipeline = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _s3 = s3;
        _ownsClient = ownsClient;
        _options = options;
        _prefix = options.NormalizedPrefix;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _mountTime = _time.GetUtcNow();
        pipeline ??= S3ResiliencePipeline.Create(options.Resilience, _time, _logger);
        Client = new S3ObjectClient(s3, options.Bucket, pipeline, options.EffectiveUseChunkEncoding, _logger);
        _attributes = new S3Attributes(options);
        _copier = new S3ObjectCopier(Client, options, _attributes, _time, _logger);
    }

    /// <summary>An S3Vfs with its own SDK client built from <paramref name="options"/> (credentials from the SDK's default chain or the profile).</summary>
    public static S3Vfs Create(S3VfsOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        options.Validate();
        return new S3Vfs(S3ClientFactory.Create(options), options, logger, timeProvider, ownsClient: true);
    }

    internal S3ObjectClient Client { get; }

    /// <summary>The S3 requests this mount has sent, by kind (HEAD, LIST, GET, PUT...).</summary>
    public S3RequestCounts Requests => Client.Requests;

    internal S3ObjectCopier Copier => _copier;

    /// <summary>
    /// Reads at any offset; writes whole objects only: no random write, append or truncate (to 0 only), and a
    /// non-atomic directory rename. RENAME_NOREPLACE is checked by this mount before the copy (not atomic against
    /// other clients of the bucket).
    /// </summary>
    public VfsCapabilities Capabilities => VfsCapabilities.Symlinks | VfsCapabilities.Permissions | VfsCapabilities.SetTimes
        | VfsCapabilities.EmptyDirectories | VfsCapabilities.RenameNoReplace;

    private S3Key KeyOf(VfsPath path) => new(_prefix, path);

    /// <summary>
    /// The root's attributes: a prefix mount keeps them in the marker object <c>PREFIX/</c> (read once, then held);
    /// the bucket root has no object, so a chmod of it lasts as long as the mount.
    /// </summary>
    private async ValueTask<VfsAttributes> RootAttributesAsync(CancellationToken cancellationToken)
    {
        if (_root is { } known) return known;
        var marker = _prefix.Length == 0 ? null : await Client.HeadAsync(_prefix, cancellationToken).ConfigureAwait(false);
        return _root = _attributes.Directory(marker, _mountTime);
    }

    public ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken) => LookupAsync(path, checkParent: true, cancellationToken);

    /// <param name="checkParent">
    /// On a miss, HEAD the parent to answer ENOTDIR when it is a file; callers that check the parent next
    /// (<see cref="RequireDirectoryAsync"/>) pass false and save that request.
    /// </param>
    private async ValueTask<VfsAttributes?> LookupAsync(VfsPath path, bool checkParent, CancellationToken cancellationToken)
    {
        if (path.IsRoot) return await RootAttributesAsync(cancellationToken).ConfigureAwait(false);
        var key = KeyOf(path);
        if (_writers.TryGetValue(key.Object, out var writer) && writer.IsPending) return writer.Attributes;
        bool unlinked = _readers.IsUnlinked(key.Object);

        // one HEAD for a file and one LIST for a directory, at once; the directory wins
        var head = Client.HeadAsync(key.Object, cancellationToken);
        var list = Client.ListAsync(key.Directory, null, null, 1, cancellationToken);
        try
        {
            await Task.WhenAll(head, list).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // the awaits below throw the failure that matters
        }
        var page = await list.ConfigureAwait(false);
        if (page.Objects.Count > 0 || page.CommonPrefixes.Count > 0)
        {
            if (await head.ConfigureAwait(false) is not null) WarnHiddenFile(key.Object);
            var first = page.Objects.FirstOrDefault();
            if (first is not null && first.Key == key.Directory)
                return _attributes.Directory(await Client.HeadAsync(key.Directory, cancellationToken).ConfigureAwait(false), first.LastModified);
            return _attributes.Directory(null, first?.LastModified ?? _mountTime);
        }
        if (await head.ConfigureAwait(false) is { } info && !unlinked) return _attributes.Object(info);
        // not found: ENOTDIR rather than ENOENT when the parent is a file or a symlink. Checked only on this miss
        // path and for the parent only (one HEAD; the kernel resolves every component itself, so FUSE never asks this)
        if (!checkParent || path.Parent.IsRoot) return null;
        var parentKey = KeyOf(path.Parent).Object;
        if ((_writers.TryGetValue(parentKey, out var parentWriter) && parentWriter.IsPending)
            || (await Client.HeadAsync(parentKey, cancellationToken).ConfigureAwait(false) is not null
                && await TryGetAttrAsync(path.Parent, cancellationToken).ConfigureAwait(false) is { IsDirectory: false }))
            throw VfsException.NotADirectory(path.Parent);
        return null;
    }

    public async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = KeyOf(path).Directory;
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        // objects held back until the listing has passed "name/": a directory of the same name hides them
        var held = new Queue<(S3ObjectInfo Info, Task<S3ObjectInfo?>? Head)>();
        bool exists = path.IsRoot;
        string? token = null;
        using var heads = new SemaphoreSlim(_options.ListingHeadConcurrency);
        do
        {
            var page = await Client.ListAsync(directory, "/", token, ListPageSize, cancellationToken).ConfigureAwait(false);
            token = page.NextToken;
            exists |= page.Objects.Count > 0 || page.CommonPrefixes.Count > 0;
            foreach (var (key, info) in Merge(page))
            {
                while (held.Count > 0 && Utf8OrdinalComparer.Instance.Compare(held.Peek().Info.Key + "/", key) < 0)
                {
                    var (heldInfo, heldHead) = held.Dequeue();
                    if (await ObjectEntryAsync(directory, heldInfo, heldHead).ConfigureAwait(false) is { } entry && emitted.Add(entry.Name)) yield return entry;
                }
                if (info is null)
                {
                    // a common prefix "dir/name/": a directory
                    var name = key[directory.Length..^1];
                    if (held.Any(h => h.Info.Key == key[..^1]))
                    {
                        WarnHiddenFile(key[..^1]);
                        held = new Queue<(S3ObjectInfo, Task<S3ObjectInfo?>?)>(held.Where(h => h.Info.Key != key[..^1]));
                    }
                    if (!IsListableName(name, key)) continue;
                    var marker = _options.ListingFetchesMetadata ? await LimitedHeadAsync(heads, key, cancellationToken).ConfigureAwait(false) : null;
                    if (emitted.Add(name)) yield return new VfsEntry(name, _attributes.Directory(marker, marker?.LastModified ?? _mountTime));
                }
                else
                {
                    if (key == directory) continue; // this directory's own marker
                    if (_readers.IsUnlinked(key)) continue; // unlinked while still being read
                    if (!IsListableName(key[directory.Length..], key)) continue;
                    held.Enqueue((info, _options.ListingFetchesMetadata ? LimitedHeadAsync(heads, key, cancellationToken) : null));
                }
            }
        }
        while (token is not null);

        while (held.Count > 0)
        {
            var (heldInfo, heldHead) = held.Dequeue();
            if (await ObjectEntryAsync(directory, heldInfo, heldHead).ConfigureAwait(false) is { } entry && emitted.Add(entry.Name)) yield return entry;
        }

        // files created through this mount and not yet uploaded
        foreach (var writer in _writers.Values)
        {
            var key = writer.Key;
            if (!writer.IsPending || !key.StartsWith(directory, StringComparison.Ordinal) || key.IndexOf('/', directory.Length) >= 0) continue;
            exists = true;
            var name = key[directory.Length..];
            if (emitted.Add(name)) yield return new VfsEntry(name, writer.Attributes);
        }

        if (!exists)
        {
            // nothing below: an empty directory has its marker (listed above), so this is no directory
            if (await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) is not null) throw VfsException.NotADirectory(path);
            throw VfsException.NotFound(path);
        }
    }

    /// <summary>A page's objects and common prefixes in S3 key order (info null for a prefix).</summary>
    private static IEnumerable<(string Key, S3ObjectInfo? Info)> Merge(S3ListPage page)
    {
        int o = 0, p = 0;
        while (o < page.Objects.Count || p < page.CommonPrefixes.Count)
        {
            bool takeObject = p >= page.CommonPrefixes.Count
                || (o < page.Objects.Count && Utf8OrdinalComparer.Instance.Compare(page.Objects[o].Key, page.CommonPrefixes[p]) < 0);
            yield return takeObject ? (page.Objects[o].Key, page.Objects[o++]) : (page.CommonPrefixes[p++], null);
        }
    }

    private async Task<S3ObjectInfo?> LimitedHeadAsync(SemaphoreSlim limit, string key, CancellationToken cancellationToken)
    {
        await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Client.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            limit.Release();
        }
    }

    private async Task<VfsEntry?> ObjectEntryAsync(string directory, S3ObjectInfo info, Task<S3ObjectInfo?>? head)
    {
        var name = info.Key[directory.Length..];
        if (_writers.TryGetValue(info.Key, out var writer) && writer.IsPending) return new VfsEntry(name, writer.Attributes);
        if (head is null) return new VfsEntry(name, _attributes.Object(info));
        // deleted between the LIST and the HEAD: gone
        return await head.ConfigureAwait(false) is { } full ? new VfsEntry(name, _attributes.Object(full)) : null;
    }

    private bool IsListableName(string name, string key)
    {
        if (VfsPath.IsValidName(name)) return true;
        Client.WarnOnce("invalid:" + key, $"S3 key '{key}' cannot be shown as a file name ('{name}'); it is left out of listings");
        return false;
    }

    private void WarnHiddenFile(string key) =>
        Client.WarnOnce("hidden:" + key, $"S3 key '{key}' is both an object and a directory prefix; the directory is shown and the object hidden");

    /// <summary>
    /// ENOENT or ENOTDIR unless <paramref name="path"/> is a directory. The common case costs one LIST (something
    /// below it: a directory, as <see cref="TryGetAttrAsync"/> decides); only when nothing is below does the full lookup
    /// tell a file from a missing name.
    /// </summary>
    private async ValueTask RequireDirectoryAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot) return;
        var key = KeyOf(path);
        if (!(_writers.TryGetValue(key.Object, out var writer) && writer.IsPending))
        {
            var page = await Client.ListAsync(key.Directory, null, null, 1, cancellationToken).ConfigureAwait(false);
            if (page.Objects.Count > 0 || page.CommonPrefixes.Count > 0) return;
        }
        var attributes = await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
        if (!attributes.IsDirectory) throw VfsException.NotADirectory(path);
    }

    public async ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if (path.IsRoot || await LookupAsync(path, checkParent: false, cancellationToken).ConfigureAwait(false) is not null) throw VfsException.Exists(path);
        await RequireDirectoryAsync(path.Parent, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var etag = await Client.PutAsync(KeyOf(path).Directory, ReadOnlyMemory<byte>.Empty,
            S3Metadata.Create(VfsEntryKind.Directory, options.Mode, options.Uid, options.Gid, now), cancellationToken).ConfigureAwait(false);
        return S3Attributes.New(VfsEntryKind.Directory, options, 0, now, etag);
    }

    public async ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot) throw VfsException.IsADirectory(path);
        var attributes = await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
        if (attributes.IsDirectory) throw VfsException.IsADirectory(path);
        var key = KeyOf(path).Object;
        if (_writers.TryRemove(key, out var writer)) writer.Discard();
        if (_readers.TryDeferDelete(key)) return; // deleted when its last reader closes
        await Client.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot) throw new VfsException(Errno.EBUSY, "the mount root cannot be removed");
        var attributes = await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
        if (!attributes.IsDirectory) throw VfsException.NotADirectory(path);
        var directory = KeyOf(path).Directory;
        var page = await Client.ListAsync(directory, null, null, 2, cancellationToken).ConfigureAwait(false);
        if (page.Objects.Any(o => o.Key != directory) || page.CommonPrefixes.Count > 0 || HasPendingWriterBelow(directory))
            throw VfsException.NotEmpty(path);
        await Client.DeleteAsync(directory, cancellationToken).ConfigureAwait(false);
    }

    private bool HasPendingWriterBelow(string directory) =>
        _writers.Values.Any(w => w.IsPending && w.Key.StartsWith(directory, StringComparison.Ordinal));

    public async ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        if (flags.HasFlag(VfsRenameFlags.Exchange | VfsRenameFlags.NoReplace)) throw VfsException.Invalid("RENAME_NOREPLACE and RENAME_EXCHANGE together");
        if (flags.HasFlag(VfsRenameFlags.Exchange)) throw VfsException.NotSupported("RENAME_EXCHANGE is not supported on S3");
        if (from.IsRoot || to.IsRoot) throw new VfsException(Errno.EBUSY, "the mount root cannot be renamed");
        // the checks in the order Linux makes them
        var source = await TryGetAttrAsync(from, cancellationToken).ConfigureAwait(false);
        if (source is null)
        {
            // Linux walks both parents before it looks for the source: a missing source's errno comes after theirs
            if (!from.Parent.IsRoot && await TryGetAttrAsync(from.Parent, cancellationToken).ConfigureAwait(false) is null) throw VfsException.NotFound(from);
            await RequireDirectoryAsync(to.Parent, cancellationToken).ConfigureAwait(false);
            throw VfsException.NotFound(from);
        }
        await RequireDirectoryAsync(to.Parent, cancellationToken).ConfigureAwait(false);
        var target = from == to ? source : await TryGetAttrAsync(to, cancellationToken).ConfigureAwait(false);
        if (flags.HasFlag(VfsRenameFlags.NoReplace) && target is not null) throw VfsException.Exists(to);
        if (to.IsDescendantOf(from)) throw VfsException.Invalid($"cannot move {from} into itself ({to})");
        if (from.IsDescendantOf(to)) throw VfsException.NotEmpty(to);
        if (from == to) return;
        if (target is not null)
        {
            if (source.IsDirectory && !target.IsDirectory) throw VfsException.NotADirectory(to);
            if (!source.IsDirectory && target.IsDirectory) throw VfsException.IsADirectory(to);
            if (target.IsDirectory)
            {
                var page = await Client.ListAsync(KeyOf(to).Directory, null, null, 2, cancellationToken).ConfigureAwait(false);
                if (page.Objects.Any(o => o.Key != KeyOf(to).Directory) || page.CommonPrefixes.Count > 0 || HasPendingWriterBelow(KeyOf(to).Directory))
                    throw VfsException.NotEmpty(to);
            }
        }

        if (source.IsDirectory)
        {
            await RenameDirectoryAsync(from, to, cancellationToken).ConfigureAwait(false);
            return;
        }

        var fromKey = KeyOf(from).Object;
        var toKey = KeyOf(to).Object;
        if (_writers.TryGetValue(fromKey, out var writer) && writer.IsPending)
        {
            // renamed while being written: the upload goes to the new name, if it has not started yet
            if (!await writer.TryRetargetAsync(toKey, cancellationToken).ConfigureAwait(false))
                throw new VfsException(Errno.EBUSY, $"{from} is being uploaded; rename it after close");
            _writers.TryRemove(new KeyValuePair<string, S3WriteFile>(fromKey, writer));
            if (_writers.TryRemove(toKey, out var replaced)) replaced.Discard();
            _writers[toKey] = writer;
            await Client.DeleteAsync(fromKey, cancellationToken).ConfigureAwait(false); // the version it replaces, if any
            return;
        }
        if (writer is not null && writer.CanRetarget && await writer.TryRetargetAsync(toKey, cancellationToken).ConfigureAwait(false))
        {
            // uploaded, but still open: its next flush goes to the new name
            _writers.TryRemove(new KeyValuePair<string, S3WriteFile>(fromKey, writer));
            _writers[toKey] = writer;
        }
        var info = await Client.HeadAsync(fromKey, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(from);
        if (_writers.TryRemove(toKey, out var overwritten)) overwritten.Discard();
        _readers.CancelDeferredDelete(toKey);
        await _copier.CopyAsync(info, toKey, null, cancellationToken).ConfigureAwait(false);
        _readers.Move(fromKey, toKey);
        await Client.DeleteAsync(fromKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies every object below <paramref name="from"/> to the same place below <paramref name="to"/>, several at
    /// once, then deletes the sources in batches: a failure during the copies leaves the source whole.
    /// </summary>
    private async Task RenameDirectoryAsync(VfsPath from, VfsPath to, CancellationToken cancellationToken)
    {
        var fromPrefix = KeyOf(from).Directory;
        var toPrefix = KeyOf(to).Directory;
        var writers = _writers.Values.Where(w => w.Key.StartsWith(fromPrefix, StringComparison.Ordinal)).ToList();
        if (writers.Any(w => !w.CanRetarget))
            throw new VfsException(Errno.EBUSY, $"a file below {from} is being uploaded; rename it after the file is closed");
        var objects = new List<S3ObjectInfo>();
        string? token = null;
        do
        {
            var page = await Client.ListAsync(fromPrefix, null, token, ListPageSize, cancellationToken).ConfigureAwait(false);
            objects.AddRange(page.Objects);
            token = page.NextToken;
        }
        while (token is not null);

        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = _options.RenameConcurrency, CancellationToken = cancellationToken },
            async (info, token) => await _copier.CopyAsync(info, toPrefix + info.Key[fromPrefix.Length..], null, token).ConfigureAwait(false)).ConfigureAwait(false);
        _readers.MovePrefix(fromPrefix, toPrefix);
        // files being written below move with the directory (their uploads go to the new keys)
        foreach (var writer in writers)
        {
            var oldKey = writer.Key;
            var newKey = toPrefix + oldKey[fromPrefix.Length..];
            if (!await writer.TryRetargetAsync(newKey, cancellationToken).ConfigureAwait(false)) continue;
            _writers.TryRemove(new KeyValuePair<string, S3WriteFile>(oldKey, writer));
            _writers[newKey] = writer;
        }

        foreach (var batch in objects.Select(o => o.Key).Chunk(1000))
            await Client.DeleteManyAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        var key = KeyOf(path);
        if (!path.IsRoot && _writers.TryGetValue(key.Object, out var writer) && writer.IsPending)
        {
            writer.ApplyChanges(changes with { Size = null });
            if (changes.Size is { } size) await writer.TruncateAsync(size, cancellationToken).ConfigureAwait(false);
            return writer.Attributes;
        }
        var current = await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
        if (changes.Size is { } newSize)
        {
            if (current.IsDirectory) throw VfsException.IsADirectory(path);
            if (current.IsSymlink) throw VfsException.Invalid($"cannot truncate a symlink: {path}");
            if (newSize < 0) throw VfsException.Invalid($"negative size {newSize}");
            if (newSize != 0 && newSize != current.Size)
                throw VfsException.NotSupported($"S3 objects cannot be truncated to {newSize} bytes in place ({path}); the content cache adds truncate");
        }
        if (current.IsSymlink && changes.Mode is not null) throw VfsException.NotSupported($"a symlink's mode cannot be changed: {path}");
        bool metadataChange = changes.Mode is not null || changes.Uid is not null || changes.Gid is not null || changes.ModifiedTime is not null || changes.AccessTime is not null;
        if (path.IsRoot)
        {
            if (!metadataChange) return current;
            var changed = current with
            {
                Mode = changes.Mode is { } rootMode ? rootMode & VfsAttributes.PermissionMask : current.Mode,
                Uid = changes.Uid ?? current.Uid,
                Gid = changes.Gid ?? current.Gid,
                ModifiedTime = changes.ModifiedTime ?? current.ModifiedTime,
                AccessTime = changes.AccessTime ?? current.AccessTime,
            };
            if (_prefix.Length > 0)
            {
                var marker = await Client.HeadAsync(_prefix, cancellationToken).ConfigureAwait(false);
                await Client.PutAsync(_prefix, ReadOnlyMemory<byte>.Empty, S3Metadata.Apply(marker?.Metadata ?? new Dictionary<string, string>(), current, changes), cancellationToken).ConfigureAwait(false);
            }
            return _root = changed;
        }
        bool truncate = changes.Size == 0 && current.Size != 0 && !current.IsDirectory;
        if (!truncate && !metadataChange) return current;

        var objectKey = current.IsDirectory ? key.Directory : key.Object;
        var head = await Client.HeadAsync(objectKey, cancellationToken).ConfigureAwait(false);
        var effective = changes with { ModifiedTime = changes.ModifiedTime ?? (truncate ? _time.GetUtcNow() : null) };
        var metadata = S3Metadata.Apply(head?.Metadata ?? new Dictionary<string, string>(), current, effective);
        string? etag;
        if (current.IsDirectory || truncate)
        {
            etag = await Client.PutAsync(objectKey, ReadOnlyMemory<byte>.Empty, metadata, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (head is null) throw VfsException.NotFound(path);
            etag = await _copier.CopyAsync(head, objectKey, metadata, cancellationToken).ConfigureAwait(false);
        }
        var updated = current with
        {
            Size = truncate ? 0 : current.Size,
            Mode = changes.Mode is { } mode ? mode & VfsAttributes.PermissionMask : current.Mode,
            Uid = changes.Uid ?? current.Uid,
            Gid = changes.Gid ?? current.Gid,
            ModifiedTime = S3Metadata.ParseTime(metadata, S3Metadata.MTime) ?? current.ModifiedTime,
            AccessTime = changes.AccessTime ?? current.AccessTime,
            ChangeTime = _time.GetUtcNow(),
            ETag = etag,
        };
        // open handles of this file see the change (a later flush of an open writer keeps it)
        if (!current.IsDirectory)
        {
            if (_writers.TryGetValue(key.Object, out var open)) open.ApplyChanges(changes with { Size = null });
            foreach (var reader in _readers.On(key.Object)) reader.Refresh(updated);
        }
        return updated;
    }

    public async ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0) throw VfsException.NotFound(path); // as symlink(2) answers an empty target
        if (Encoding.UTF8.GetByteCount(target) >= 4096) throw new VfsException(Errno.ENAMETOOLONG, "symlink target longer than PATH_MAX");
        if (path.IsRoot || await LookupAsync(path, checkParent: false, cancellationToken).ConfigureAwait(false) is not null) throw VfsException.Exists(path);
        await RequireDirectoryAsync(path.Parent, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(target);
        _readers.CancelDeferredDelete(KeyOf(path).Object);
        var etag = await Client.PutAsync(KeyOf(path).Object, body,
            S3Metadata.Create(VfsEntryKind.Symlink, 0b111_111_111, options.Uid, options.Gid, now), cancellationToken).ConfigureAwait(false);
        return S3Attributes.New(VfsEntryKind.Symlink, options, body.Length, now, etag);
    }

    public async ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot) throw VfsException.Invalid("the mount root is not a symlink");
        var attributes = await TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
        if (!attributes.IsSymlink) throw VfsException.Invalid($"not a symlink: {path}");
        return Encoding.UTF8.GetString(await Client.GetAllAsync(KeyOf(path).Object, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if ((flags & VfsOpenFlags.ReadWrite) == 0) throw VfsException.Invalid($"open of {path} without read or write access");
        if (path.IsRoot) throw VfsException.IsADirectory(path);
        var key = KeyOf(path).Object;
        bool create = flags.HasFlag(VfsOpenFlags.Create);
        // a create checks the parent at the same time as the name: one round trip less for a new file, one LIST
        // more when the file exists
        var parentCheck = create ? RequireDirectoryAsync(path.Parent, cancellationToken).AsTask() : null;
        VfsAttributes? current;
        try
        {
            current = await LookupAsync(path, checkParent: !create, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (parentCheck is not null)
        {
            await ObserveAsync(parentCheck).ConfigureAwait(false); // the lookup's failure is the one reported
            throw;
        }
        if (current is null)
        {
            if (!create) throw VfsException.NotFound(path);
            await parentCheck!.ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var metadata = S3Metadata.Create(VfsEntryKind.File, options.Mode, options.Uid, options.Gid, now);
            return Register(new S3WriteFile(Client, _options, key, flags, S3Attributes.New(VfsEntryKind.File, options, 0, now),
                metadata, _time, _logger, Unregister));
        }
        if (parentCheck is not null) await ObserveAsync(parentCheck).ConfigureAwait(false); // the name exists: its parent is a directory
        if (flags.HasFlag(VfsOpenFlags.Create | VfsOpenFlags.Exclusive)) throw VfsException.Exists(path);
        if (current.IsDirectory) throw VfsException.IsADirectory(path);
        if (current.IsSymlink) throw new VfsException(Errno.ELOOP, $"{path} is a symlink");
        // without O_TRUNC an existing object can be read through a writable handle, which refuses the writes themselves
        if (!flags.HasFlag(VfsOpenFlags.Write) && _writers.TryGetValue(key, out var writing) && writing.IsPending)
        {
            // being written through this mount: a reader gets the version in the store, if there is one
            var stored = await Client.HeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (stored is null && writing.Attributes.Size > 0)
                throw new VfsException(Errno.EBUSY, $"{path} is being written and not yet uploaded; it can be read after close");
            current = stored is null ? writing.Attributes : _attributes.Object(stored); // a new file with nothing written yet reads as empty
        }
        if (!flags.HasFlag(VfsOpenFlags.Write) || (!flags.HasFlag(VfsOpenFlags.Truncate) && current.Size > 0))
        {
            var reader = new S3ReadFile(Client, _options, key, flags, current, ReaderClosed);
            _readers.Add(reader);
            return reader;
        }

        // replacing an object keeps its mode, owner and other metadata
        var head = _writers.TryGetValue(key, out var pending) && pending.IsPending ? null : await Client.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        var kept = S3Metadata.Apply(head?.Metadata ?? new Dictionary<string, string>(), current, default);
        return Register(new S3WriteFile(Client, _options, key, flags, current, kept, _time, _logger, Unregister));
    }

    /// <summary>Waits for a task whose outcome no longer matters, so that its failure is not left unobserved.</summary>
    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // not the error the caller hears
        }
    }

    private S3WriteFile Register(S3WriteFile writer)
    {
        _readers.CancelDeferredDelete(writer.Key);
        _writers[writer.Key] = writer;
        return writer;
    }

    private void ReaderClosed(S3ReadFile reader)
    {
        if (_readers.Remove(reader) is { } key) _ = DeleteDeferredAsync(key);
    }

    private async Task DeleteDeferredAsync(string key)
    {
        try
        {
            await Client.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (VfsException e)
        {
            _logger.LogWarning("could not delete '{Key}', unlinked while it was open: {Error}", key, e.Message);
        }
    }

    private void Unregister(S3WriteFile writer) => _writers.TryRemove(new KeyValuePair<string, S3WriteFile>(writer.Key, writer));

    public ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken)
    {
        // S3 has no capacity to report: a large constant, as s3fs does, so tools see space
        const long blocks = 1L << 36; // 256 TiB of 4 KiB blocks
        return ValueTask.FromResult(new VfsStatFs(4096, blocks, blocks, blocks, 1L << 32, 1L << 32));
    }

    public ValueTask DisposeAsync()
    {
        _logger.LogInformation("S3 requests: {Counts}", Requests);
        if (_options.RequestCountsFile is { } file)
        {
            try
            {
                File.AppendAllText(file, $"s3 requests: {Requests}\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("could not write the S3 request counts to {File}: {Error}", file, e.Message);
            }
        }
        if (_ownsClient) _s3.Dispose();
        return ValueTask.CompletedTask;
    }
}
