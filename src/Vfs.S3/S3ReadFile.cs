using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// An open file being read with ranged GETs, pinned to the version (ETag) seen at open: a later version makes reads
/// fail with ESTALE rather than mix two versions. An existing object opened for writing without O_TRUNC also gets
/// this handle: it reads, and refuses every write and truncation with ENOTSUP (S3 objects are replaced whole; the
/// content cache adds in-place writes and append).
/// </summary>
/// <remarks>
/// Reads are served from segments: ranged GETs in flight or done, each for [Start, End). Two reads in a row that
/// continue where the last one ended make the reader sequential: the prefetcher then keeps a window ahead of the
/// reader filled with several GETs at once (window and GET size double as the reader keeps going, up to
/// PrefetchMaxWindow and PrefetchMaxRequestSize) and drops what the reader has passed. Any other read is random: it
/// fetches what it asks for plus RandomReadahead, nothing more. The kernel may send a few reads of one stream
/// concurrently and slightly out of order; a read inside the prefetched window keeps the reader sequential. Whatever
/// the planning decided, a read is served from a gapless chain of segments covering exactly its range (a hole gets its
/// own GET), and each segment's bytes are copied to the buffer position of their own offset: the planner's cursors
/// (_scheduledEnd, _lastEnd) are hints for prefetching, never trusted for which bytes a read returns.
/// Locks: <c>_sync</c> guards the segment list and the detector state; it is never held across an await (GETs run
/// unlocked and are awaited outside it). Memory per handle: at most the window plus one GET behind the reader.
/// </remarks>
internal sealed class S3ReadFile : IVfsFile
{
    private sealed record Segment(long Start, long End, Task<byte[]> Data);

    private const int SequentialAfter = 2;
    private const int MaxRandomSegments = 8;

    private readonly S3ObjectClient _client;
    private readonly S3VfsOptions _options;
    private readonly Action<S3ReadFile>? _onClosed;
    private volatile string _key;
    private volatile VfsAttributes _attributes;
    private readonly Lock _sync = new();
    private readonly List<Segment> _segments = [];
    private readonly CancellationTokenSource _closed = new();

    private long _lastEnd;
    private int _streak;
    private long _window;
    private long _requestSize;
    private long _scheduledEnd;
    private long _grownAt;

    public S3ReadFile(S3ObjectClient client, S3VfsOptions options, string key, VfsOpenFlags flags, VfsAttributes attributes, Action<S3ReadFile>? onClosed = null)
    {
        _onClosed = onClosed;
        _client = client;
        _options = options;
        _key = key;
        Flags = flags;
        _attributes = attributes;
        _window = options.PrefetchInitialWindow;
        _requestSize = Math.Min(options.PrefetchMaxRequestSize, Math.Max(64 * 1024, _window / 4));
    }

    public VfsOpenFlags Flags { get; }

    /// <summary>The key read from; a rename by this mount moves it (the handle follows its file).</summary>
    public string Key
    {
        get => _key;
        set => _key = value;
    }

    /// <summary>
    /// This mount changed the object's metadata (setattr: a copy onto itself, same bytes) or emptied it: the handle
    /// shows the new attributes and reads the new version instead of calling it stale.
    /// </summary>
    public void Refresh(VfsAttributes attributes)
    {
        lock (_sync)
        {
            if (attributes.Size != _attributes.Size) _segments.Clear();
            _attributes = attributes;
        }
    }

    /// <summary>GETs issued so far (for tests of the read-ahead policy).</summary>
    internal int RequestCount;

    /// <summary>Bytes requested from S3 so far.</summary>
    internal long BytesRequested;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset < 0) throw VfsException.Invalid($"negative offset {offset}");
        if (!Flags.HasFlag(VfsOpenFlags.Read)) throw new VfsException(Errno.EBADF, $"'{_key}' is not open for reading");
        long size = _attributes.Size;
        if (offset >= size || buffer.Length == 0) return 0;
        long end = Math.Min(size, offset + buffer.Length);

        List<Segment> needed;
        lock (_sync) needed = Plan(offset, end, size);

        // the chain covers [offset, end) without gaps, each segment starting where the one before ends or earlier
        long copiedTo = offset;
        foreach (var segment in needed)
        {
            byte[] data;
            try
            {
                data = await segment.Data.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_sync) _segments.Remove(segment); // a failed GET is not kept: the next read asks again
                throw;
            }
            if (segment.Start > copiedTo)
                throw new InvalidOperationException($"S3 read plan of '{_key}' has a gap at {copiedTo} (segment starts at {segment.Start})");
            long to = Math.Min(end, segment.End);
            if (copiedTo >= to) continue;
            data.AsSpan((int)(copiedTo - segment.Start), (int)(to - copiedTo)).CopyTo(buffer.Span[(int)(copiedTo - offset)..]);
            copiedTo = to;
        }
        if (copiedTo != end)
            throw new InvalidOperationException($"S3 read plan of '{_key}' ends at {copiedTo}, before {end}");
        return (int)(end - offset);
    }

    /// <summary>Decides sequential or random, schedules GETs, and returns the segments covering [offset, end) in order.</summary>
    private List<Segment> Plan(long offset, long end, long size)
    {
        bool continues = offset == _lastEnd;
        bool insideWindow = _streak >= SequentialAfter && offset >= FirstStart() && offset < _scheduledEnd;
        _streak = continues ? _streak + 1 : insideWindow ? _streak : 0;
        bool sequential = _streak >= SequentialAfter || (offset == 0 && _lastEnd == 0 && _streak == 1);

        if (sequential)
        {
            // drop what the reader has passed, keeping one GET behind for reads that arrive out of order
            _segments.RemoveAll(s => s.End < offset - _requestSize);
            // prefetch from the end of what covers the reader without gaps: concurrent, out-of-order or failed reads
            // may have left holes behind a _scheduledEnd that only says how far GETs were once issued
            _scheduledEnd = Math.Max(offset, CoveredEnd(offset));
            // the window doubles each time the reader has consumed half of it
            if (offset - _grownAt >= _window / 2)
            {
                Grow();
                _grownAt = offset;
            }
            long target = Math.Min(size, Math.Max(end, offset + _window));
            while (_scheduledEnd < target)
            {
                long length = Math.Min(_requestSize, size - _scheduledEnd);
                Schedule(_scheduledEnd, _scheduledEnd + length);
                _scheduledEnd += length;
            }
        }
        else
        {
            _window = _options.PrefetchInitialWindow;
            _grownAt = offset;
            _requestSize = Math.Min(_options.PrefetchMaxRequestSize, Math.Max(64 * 1024, _window / 4));
            long covered = CoveredEnd(offset);
            if (covered < end)
                Schedule(covered, Math.Min(size, Math.Max(end, covered + _options.RandomReadahead)));
            // a random reader keeps only its few most recent segments, never those this read needs
            for (int i = 0; _segments.Count > MaxRandomSegments && i < _segments.Count;)
            {
                if (_segments[i].End > offset && _segments[i].Start < end) i++;
                else _segments.RemoveAt(i);
            }
            _scheduledEnd = _segments.Count > 0 ? _segments.Max(s => s.End) : 0;
        }
        _lastEnd = end;
        return Chain(offset, end, size);
    }

    /// <summary>
    /// The segments covering [offset, end) as a gapless chain in order: at each point the one reaching furthest;
    /// a hole (left by another read's planning, a dropped or failed segment) gets its own GET.
    /// </summary>
    private List<Segment> Chain(long offset, long end, long size)
    {
        var chain = new List<Segment>();
        long at = offset;
        while (at < end)
        {
            Segment? best = null;
            foreach (var s in _segments)
                if (s.Start <= at && s.End > at && (best is null || s.End > best.End)) best = s;
            if (best is null)
            {
                long next = end;
                foreach (var s in _segments)
                    if (s.Start > at && s.Start < next) next = s.Start;
                best = Schedule(at, Math.Min(size, next));
            }
            chain.Add(best);
            at = best.End;
        }
        return chain;
    }

    private void Grow()
    {
        _window = Math.Min(_options.PrefetchMaxWindow, _window * 2);
        _requestSize = Math.Min(_options.PrefetchMaxRequestSize, Math.Max(_requestSize, _window / 4));
    }

    private long FirstStart() => _segments.Count == 0 ? long.MaxValue : _segments.Min(s => s.Start);

    /// <summary>The end of the run of segments covering <paramref name="offset"/> contiguously, or offset itself.</summary>
    private long CoveredEnd(long offset)
    {
        long end = offset;
        bool extended = true;
        while (extended)
        {
            extended = false;
            foreach (var s in _segments)
            {
                if (s.Start <= end && s.End > end)
                {
                    end = s.End;
                    extended = true;
                }
            }
        }
        return end;
    }

    private Segment Schedule(long start, long end)
    {
        Interlocked.Increment(ref RequestCount);
        Interlocked.Add(ref BytesRequested, end - start);
        var token = _closed.Token;
        var task = Task.Run(async () =>
        {
            var data = new byte[end - start];
            int n = await _client.GetRangeAsync(_key, start, data, _attributes.ETag, token).ConfigureAwait(false);
            if (n != data.Length)
                throw new VfsException(Errno.ESTALE, $"S3 GET '{_key}': {n} bytes at {start} where {data.Length} were expected (the object changed since it was opened)");
            return data;
        }, token);
        var segment = new Segment(start, end, task);
        _segments.Add(segment);
        return segment;
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (offset < 0) throw VfsException.Invalid($"negative offset {offset}");
        if (!Flags.HasFlag(VfsOpenFlags.Write)) throw new VfsException(Errno.EBADF, $"'{_key}' is open for reading only");
        throw VfsException.NotSupported($"S3 objects are replaced whole: '{_key}' can only be rewritten from empty (open it with O_TRUNC); the content cache adds in-place writes and append");
    }

    public ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        if (size < 0) throw VfsException.Invalid($"negative size {size}");
        if (!Flags.HasFlag(VfsOpenFlags.Write)) throw VfsException.Invalid($"'{_key}' is not open for writing");
        if (size == _attributes.Size) return ValueTask.CompletedTask;
        throw VfsException.NotSupported($"S3 objects cannot be truncated in place ('{_key}' to {size}); the content cache adds truncate");
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask FsyncAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_attributes);

    public ValueTask DisposeAsync()
    {
        _closed.Cancel(); // GETs still in flight for the prefetcher are abandoned
        lock (_sync) _segments.Clear();
        _onClosed?.Invoke(this);
        return ValueTask.CompletedTask;
    }
}
