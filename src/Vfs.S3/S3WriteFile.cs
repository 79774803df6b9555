using System.Globalization;
using Microsoft.Extensions.Logging;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// An open file being written as one whole object, sequentially from offset 0 (S3 has no partial writes).
/// </summary>
/// <remarks>
/// States: <c>Buffering</c> (the bytes so far fit in one part buffer, which grows from 64 KiB up to PartSize; nothing
/// sent) -> <c>Streaming</c> (a multipart upload is open; full parts are uploaded while the writer goes on, at most
/// <c>UploadConcurrency</c> at once) -> <c>Committed</c> (flush made the object visible: one PUT from Buffering,
/// CompleteMultipartUpload from Streaming). Flush may come several times per handle (a shell's dup2 and close flush
/// before the first write): an object committed by one PUT keeps its buffer, so writes may continue at its end and
/// the next flush PUTs it again; after a multipart commit a further write is EINVAL (reopen with O_TRUNC).
/// <c>Failed</c>: an upload or a write failed or was cancelled; the multipart upload is aborted, so no partial object
/// ever becomes visible, and flush reports the error. <c>Discarded</c>: the file was unlinked while open; writes are
/// accepted and dropped. Memory is bounded by PartSize x (UploadConcurrency + 1) whatever the object's size.
/// A write at any offset but the current end is EINVAL; truncation to another size than 0 (while no multipart upload
/// is open) or the current size is ENOTSUP.
/// Locks: <c>_gate</c> serializes this handle's own operations (its writes must be ordered anyway) and is held across
/// its own part uploads; <c>_sync</c> guards the part list and buffer pool and is never held across an await.
/// </remarks>
internal sealed class S3WriteFile : IVfsFile
{
    private enum State { Buffering, Streaming, Committed, Failed, Discarded }

    private readonly S3ObjectClient _client;
    private readonly long _partSize;
    private readonly int _maxParts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<S3WriteFile>? _onClosed;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _uploadCancellation = new();
    private readonly Lock _sync = new();
    private readonly Stack<byte[]> _freeBuffers = new();
    private readonly List<(int PartNumber, string ETag)> _parts = [];
    private readonly List<Task> _inFlight = [];
    private readonly Dictionary<string, string> _metadata;

    private State _state = State.Buffering;
    private string _key;
    private byte[]? _current;
    private int _currentLength;
    private long _length;
    private string? _uploadId;
    private int _partCount;
    private Exception? _failure;
    private DateTimeOffset? _explicitModifiedTime;
    private bool _metadataChangedWhileStreaming;
    private VfsAttributes _attributes;

    public S3WriteFile(S3ObjectClient client, S3VfsOptions options, string key, VfsOpenFlags flags, VfsAttributes attributes,
        IReadOnlyDictionary<string, string> metadata, TimeProvider time, ILogger logger, Action<S3WriteFile>? onClosed)
    {
        _client = client;
        _partSize = options.PartSize;
        _maxParts = S3VfsOptions.MaxParts;
        _slots = new SemaphoreSlim(options.UploadConcurrency, options.UploadConcurrency);
        _key = key;
        Flags = flags;
        _attributes = attributes with { Size = 0 };
        _metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        _time = time;
        _logger = logger;
        _onClosed = onClosed;
    }

    public VfsOpenFlags Flags { get; }

    public string Key => _key;

    /// <summary>True while nothing has been committed or abandoned: the path shows this writer's view.</summary>
    public bool IsPending => _state is State.Buffering or State.Streaming;

    /// <summary>The attributes as this writer sees them (size = bytes written so far).</summary>
    public VfsAttributes Attributes
    {
        get
        {
            lock (_sync)
            {
                return IsPending
                    ? _attributes with { Size = _length, ModifiedTime = _explicitModifiedTime ?? _attributes.ModifiedTime }
                    : _attributes;
            }
        }
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (offset < 0) throw VfsException.Invalid($"negative offset {offset}");
        if (!Flags.HasFlag(VfsOpenFlags.Write)) throw new VfsException(Errno.EBADF, $"'{_key}' is not open for writing");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfNotWritable();
            if (Flags.HasFlag(VfsOpenFlags.Append)) offset = _length;
            if (_state == State.Committed && offset == _length && data.Length > 0) Reopen();
            if (offset != _length)
                throw new VfsException(Errno.EINVAL, $"S3 objects are written sequentially: write at {offset} in '{_key}' where {_length} was expected (the content cache adds random writes)");
            if (_state == State.Discarded)
            {
                _length += data.Length;
                return;
            }
            try
            {
                while (data.Length > 0)
                {
                    int n = (int)Math.Min(data.Length, _partSize - _currentLength);
                    EnsureCapacity(_currentLength + n);
                    data.Span[..n].CopyTo(_current.AsSpan(_currentLength));
                    _currentLength += n;
                    data = data[n..];
                    lock (_sync) _length += n;
                    if (_currentLength == _partSize) await SubmitPartAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                await FailAsync(e).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // a handle that created the file commits it even when opened read-only (open O_RDONLY|O_CREAT)
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask FsyncAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    public async ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        if (size < 0) throw VfsException.Invalid($"negative size {size}");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (size == _length) return;
            if (size == 0 && (_state == State.Buffering || (_state == State.Committed && _uploadId is null)))
            {
                if (_state == State.Committed) Reopen();
                _currentLength = 0;
                lock (_sync) _length = 0;
                return;
            }
            throw new VfsException(Errno.ENOTSUP, $"S3 objects cannot be truncated in place ('{_key}' to {size}); the content cache adds truncate");
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset < 0) throw VfsException.Invalid($"negative offset {offset}");
        if (!Flags.HasFlag(VfsOpenFlags.Read)) throw new VfsException(Errno.EBADF, $"'{_key}' is not open for reading");
        if (Interlocked.Read(ref _length) == 0) return ValueTask.FromResult(0);
        throw new VfsException(Errno.ENOTSUP, $"reading '{_key}' while it is being written is not supported by the S3 store alone (the content cache adds it)");
    }

    public ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Attributes);

    /// <summary>setattr of mode, owner or times while the file is open (cp -p sets them before close): they go into the object's metadata.</summary>
    public void ApplyChanges(VfsAttributeChanges changes)
    {
        lock (_sync)
        {
            var current = Attributes;
            if (changes.ModifiedTime is { } mtime) _explicitModifiedTime = mtime;
            foreach (var (name, value) in S3Metadata.Apply(_metadata, current, changes with { ModifiedTime = changes.ModifiedTime ?? current.ModifiedTime }))
                _metadata[name] = value;
            _attributes = _attributes with
            {
                Mode = changes.Mode is { } m ? m & VfsAttributes.PermissionMask : _attributes.Mode,
                Uid = changes.Uid ?? _attributes.Uid,
                Gid = changes.Gid ?? _attributes.Gid,
            };
            if (_state == State.Streaming) _metadataChangedWhileStreaming = true;
        }
    }

    /// <summary>True while the writer holds every byte it was given (no multipart upload): it can move to another key.</summary>
    public bool CanRetarget => _state is State.Buffering || (_state is State.Committed && _uploadId is null);

    /// <summary>Moves the object this writer will create to <paramref name="key"/> (rename while open); false once a multipart upload is open.</summary>
    public async ValueTask<bool> TryRetargetAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // nothing sent yet, or sent by one PUT whose buffer is kept (the next flush sends it again): movable
            if (!CanRetarget) return false;
            _key = key;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The file was unlinked while open: nothing it holds or will be given is uploaded.</summary>
    public void Discard()
    {
        lock (_sync)
        {
            if (_state is State.Discarded or State.Failed) return;
            _state = State.Discarded;
        }
        _uploadCancellation.Cancel();
        if (_uploadId is { } id) _ = _client.AbortMultipartAsync(_key, id);
    }

    private void ThrowIfNotWritable()
    {
        switch (_state)
        {
            case State.Committed when _uploadId is not null:
                throw new VfsException(Errno.EINVAL, $"'{_key}' was already uploaded (multipart) by an earlier flush; reopen it with O_TRUNC to write it again");
            case State.Failed:
                throw new VfsException(Errno.EIO, $"the upload of '{_key}' failed: {_failure?.Message}", _failure);
        }
    }

    /// <summary>Makes <c>_current</c> hold at least <paramref name="needed"/> bytes: small files never take a whole part's memory.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_current))]
    private void EnsureCapacity(int needed)
    {
        if (_current is not null && _current.Length >= needed) return;
        byte[] next;
        lock (_sync)
        {
            next = _freeBuffers.Count > 0 ? _freeBuffers.Pop()
                : new byte[Math.Min(_partSize, Math.Max(Math.Max(needed, 64 * 1024), 2L * (_current?.Length ?? 0)))];
        }
        if (_current is not null) _current.AsSpan(0, _currentLength).CopyTo(next);
        _current = next;
    }

    private void ReturnBuffer(byte[] buffer)
    {
        if (buffer.Length != _partSize) return;
        lock (_sync) _freeBuffers.Push(buffer);
    }

    /// <summary>Writes continue after a flush that PUT the object: the buffer still holds every byte, so it is sent again at the next flush.</summary>
    private void Reopen()
    {
        lock (_sync) _state = State.Buffering;
    }

    private async Task SubmitPartAsync(CancellationToken cancellationToken)
    {
        _uploadId ??= await _client.InitiateMultipartAsync(_key, MetadataForCommit(), cancellationToken).ConfigureAwait(false);
        lock (_sync) _state = State.Streaming;
        int partNumber = ++_partCount;
        if (partNumber > _maxParts)
            throw new VfsException(Errno.EFBIG, $"'{_key}' exceeds {_maxParts} parts of {_partSize} bytes (raise the part size)");
        // waiting for a slot is what bounds memory: a writer never holds more than UploadConcurrency parts in flight
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfPartFailed();
        var buffer = _current!;
        int length = _currentLength;
        _current = null;
        _currentLength = 0;
        var task = UploadPartAsync(_uploadId, partNumber, buffer, length);
        lock (_sync) _inFlight.Add(task);
    }

    private async Task UploadPartAsync(string uploadId, int partNumber, byte[] buffer, int length)
    {
        try
        {
            var etag = await _client.UploadPartAsync(_key, uploadId, partNumber, buffer.AsMemory(0, length), _uploadCancellation.Token).ConfigureAwait(false);
            lock (_sync) _parts.Add((partNumber, etag));
        }
        catch (Exception e)
        {
            lock (_sync) _failure ??= e;
        }
        finally
        {
            ReturnBuffer(buffer);
            _slots.Release();
        }
    }

    private void ThrowIfPartFailed()
    {
        Exception? failure;
        lock (_sync) failure = _failure;
        if (failure is not null) throw failure is VfsException ? failure : new VfsException(Errno.EIO, $"upload of '{_key}' failed: {failure.Message}", failure);
    }

    private Dictionary<string, string> MetadataForCommit()
    {
        lock (_sync)
        {
            var metadata = new Dictionary<string, string>(_metadata, StringComparer.Ordinal);
            // whole seconds, as the object's metadata keeps it: the committed writer then shows what a HEAD would
            var mtime = DateTimeOffset.FromUnixTimeSeconds((_explicitModifiedTime ?? _time.GetUtcNow()).ToUnixTimeSeconds());
            metadata[S3Metadata.MTime] = mtime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            _attributes = _attributes with { ModifiedTime = mtime, AccessTime = mtime, ChangeTime = mtime };
            return metadata;
        }
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case State.Committed or State.Discarded:
                return;
            case State.Failed:
                ThrowIfNotWritable();
                return;
        }
        try
        {
            string? etag;
            if (_state == State.Buffering)
            {
                etag = await _client.PutAsync(_key, _current is null ? ReadOnlyMemory<byte>.Empty : _current.AsMemory(0, _currentLength), MetadataForCommit(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_currentLength > 0) await SubmitPartAsync(cancellationToken).ConfigureAwait(false);
                Task[] inFlight;
                lock (_sync) inFlight = [.. _inFlight];
                await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
                ThrowIfPartFailed();
                List<(int, string)> parts;
                lock (_sync) parts = [.. _parts];
                etag = await _client.CompleteMultipartAsync(_key, _uploadId!, parts, cancellationToken).ConfigureAwait(false);
                if (_metadataChangedWhileStreaming)
                {
                    // times or mode set after the upload began: the metadata went out with CreateMultipartUpload
                    if (_length <= S3VfsOptions.MaxPartSize)
                        etag = await _client.CopyAsync(_key, _key, MetadataForCommit(), cancellationToken).ConfigureAwait(false);
                    else
                        _logger.LogWarning("mode/owner/times set while '{Key}' was uploading are not applied (object over 5 GiB)", _key);
                }
            }
            lock (_sync)
            {
                if (_state == State.Discarded) return;
                _state = State.Committed;
                _attributes = _attributes with { Size = _length, ETag = etag };
                if (_uploadId is not null)
                {
                    _current = null;
                    _freeBuffers.Clear();
                }
            }
        }
        catch (Exception e)
        {
            await FailAsync(e).ConfigureAwait(false);
            if (e is OperationCanceledException or VfsException) throw;
            throw new VfsException(Errno.EIO, $"upload of '{_key}' failed: {e.Message}", e);
        }
    }

    /// <summary>Gives up the upload: cancels parts in flight and aborts the multipart upload, so nothing becomes visible.</summary>
    private async Task FailAsync(Exception cause)
    {
        lock (_sync)
        {
            if (_state is State.Failed or State.Discarded or State.Committed) return;
            _state = State.Failed;
            _failure ??= cause;
        }
        _uploadCancellation.Cancel();
        Task[] inFlight;
        lock (_sync) inFlight = [.. _inFlight];
        try
        {
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // part failures are recorded in _failure; the first cause is what the caller hears
        }
        if (_uploadId is { } id) await _client.AbortMultipartAsync(_key, id).ConfigureAwait(false);
        lock (_sync)
        {
            _current = null;
            _freeBuffers.Clear();
        }
        _onClosed?.Invoke(this);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_state == State.Committed)
            {
                _current = null;
                _freeBuffers.Clear();
            }
        }
        // release(2) cannot report errors: a writer closed without flush still commits, and a failure is logged
        if (IsPending)
        {
            try
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VfsException or OperationCanceledException)
            {
                _logger.LogWarning("upload of '{Key}' at release failed: {Error}", _key, e.Message);
            }
        }
        _onClosed?.Invoke(this);
        // _uploadCancellation holds no timer; it is left to the GC so a late Discard cannot hit a disposed source
    }
}
