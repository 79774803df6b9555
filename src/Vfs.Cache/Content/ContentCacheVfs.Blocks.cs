using System.Buffers;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// The data path: reads, writes and truncation of one cached object in its spill file, and the on-demand fetch of
/// blocks from the inner store. Every block being filled (fetched or written while absent) is registered in
/// <see cref="CachedObject.InFlight"/>, so readers wait for it and a fetch never overwrites a write.
/// Lock order as in ContentCacheVfs.cs; no lock is held across an await here.
/// </summary>
public sealed partial class ContentCacheVfs
{
    internal async ValueTask<int> ReadObjectAsync(CachedObject o, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        long size;
        bool hit = true;
        lock (o.Sync)
        {
            size = o.Size;
            TouchLocked(o);
            if (offset >= size || buffer.Length == 0) return 0;
            long end = Math.Min(size, offset + buffer.Length);
            for (long b = offset / o.BlockSize; b <= (end - 1) / o.BlockSize; b++)
                if (NeedsFetchLocked(o, b) || o.InFlight.ContainsKey(b)) hit = false;
        }
        int count = (int)Math.Min(buffer.Length, size - offset);
        var slice = buffer[..count];
        long first = offset / o.BlockSize, last = (offset + count - 1) / o.BlockSize;
        for (long b = first; b <= last; b++) await EnsureBlockAsync(o, b, cancellationToken).ConfigureAwait(false);

        int read = await ReadSpillAsync(o, offset, slice, cancellationToken).ConfigureAwait(false);
        _counters.Increment(hit ? ContentCacheCounters.HitRequests : ContentCacheCounters.MissRequests);
        _counters.Add(hit ? ContentCacheCounters.HitBytes : ContentCacheCounters.MissBytes, read);
        _counters.Add(ContentCacheCounters.BytesFromCache, read);
        return read;
    }

    internal async ValueTask WriteObjectAsync(CachedObject o, long offset, ReadOnlyMemory<byte> data, bool append, CancellationToken cancellationToken)
    {
        if (data.IsEmpty) return;
        List<(long Block, TaskCompletionSource Fill)> mine;
        while (true)
        {
            Task? wait = null;
            long fetch = -1;
            lock (o.Sync)
            {
                if (append) offset = o.Size;
                PosixRules.ValidateRange(offset, data.Length, writing: true);
                long end = offset + data.Length;
                long first = offset / o.BlockSize, last = (end - 1) / o.BlockSize;
                for (long b = first; b <= last && fetch < 0 && wait is null; b++)
                {
                    if (o.InFlight.TryGetValue(b, out var busy)) wait = busy;
                    else if (NeedsFetchLocked(o, b) && !Covers(o, b, offset, end)) fetch = b; // partial overwrite: read-modify-write
                }
                if (wait is null && fetch < 0)
                {
                    MarkDirtyLocked(o); // committed before the first byte lands, so a crash never leaves unrecorded changes
                    mine = [];
                    for (long b = first; b <= last; b++)
                    {
                        if (o.Present.Contains(b)) continue;
                        var fill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        o.InFlight[b] = fill.Task;
                        mine.Add((b, fill));
                    }
                    break;
                }
            }
            if (wait is not null) await WaitQuietlyAsync(wait).ConfigureAwait(false);
            else await EnsureBlockAsync(o, fetch, cancellationToken).ConfigureAwait(false);
        }

        bool written = false;
        try
        {
            await WriteSpillWithRetryAsync(o, offset, data, cancellationToken).ConfigureAwait(false);
            written = true;
        }
        finally
        {
            lock (o.Sync)
            {
                foreach (var (b, _) in mine)
                {
                    o.InFlight.Remove(b);
                    if (written && o.Present.Add(b))
                    {
                        o.UncommittedBlocks.Add(b);
                        Interlocked.Add(ref _cachedBytes, o.BlockSize);
                    }
                }
                if (written)
                {
                    o.Size = Math.Max(o.Size, offset + data.Length);
                    o.Modified = _time.GetUtcNow();
                    // After the bytes landed: an upload that finished meanwhile (and so may have missed them) made the
                    // object Clean; this makes it Dirty again, and one still running sees the version move.
                    o.WriteVersion++;
                    MarkDirtyLocked(o);
                }
            }
            foreach (var (_, fill) in mine) fill.TrySetResult();
        }
        if (written && mine.Count > 0) SignalEvictorIfOverLimit();
    }

    /// <summary>Truncates or extends the object; bytes past the new end never come back from the store.</summary>
    internal async ValueTask TruncateObjectAsync(CachedObject o, long size, CancellationToken cancellationToken)
    {
        PosixRules.ValidateSize(size);
        while (true)
        {
            Task[] busy;
            lock (o.Sync)
            {
                busy = [.. o.InFlight.Values];
                if (busy.Length == 0)
                {
                    MarkDirtyLocked(o);
                    long? dropFrom = null;
                    if (size < o.Size)
                    {
                        o.FetchLimit = Math.Min(o.FetchLimit, size);
                        long firstGone = o.BlockCount(size);
                        int removed = o.Present.RemoveFrom(firstGone);
                        o.UncommittedBlocks.RemoveAll(b => b >= firstGone);
                        Interlocked.Add(ref _cachedBytes, -(long)removed * o.BlockSize);
                        dropFrom = firstGone;
                    }
                    o.Size = size;
                    o.Modified = _time.GetUtcNow();
                    o.WriteVersion++;
                    CommitLocked(o, dropFrom);
                    var spill = SpillLocked(o);
                    try
                    {
                        spill.SetLength(size); // shrinking drops old bytes; growing leaves a hole that reads as zeros
                    }
                    catch (IOException ex)
                    {
                        throw SpillErrors.Translate(ex, $"truncate of {o.Path}");
                    }
                    return;
                }
            }
            foreach (var task in busy) await WaitQuietlyAsync(task).ConfigureAwait(false);
        }
    }

    /// <summary>Makes block <paramref name="block"/> readable from the spill file, fetching it from the store when needed.</summary>
    private async ValueTask EnsureBlockAsync(CachedObject o, long block, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? wait;
            TaskCompletionSource? mine = null;
            long start, end;
            lock (o.Sync)
            {
                if (!NeedsFetchLocked(o, block) && !o.InFlight.ContainsKey(block)) return;
                start = block * o.BlockSize;
                end = Math.Min(start + o.BlockSize, o.FetchLimit);
                if (!o.InFlight.TryGetValue(block, out wait))
                {
                    if (!NeedsFetchLocked(o, block)) return;
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    o.InFlight[block] = mine.Task;
                }
            }
            if (mine is null)
            {
                try
                {
                    await wait!.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // The filler failed and reported it to its caller; look again (and fetch it ourselves if still absent).
                }
                continue;
            }

            try
            {
                await FetchAsync(o, start, (int)(end - start), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                lock (o.Sync) o.InFlight.Remove(block);
                mine.TrySetException(ex);
                throw;
            }
            lock (o.Sync)
            {
                o.InFlight.Remove(block);
                if (o.Present.Add(block))
                {
                    o.UncommittedBlocks.Add(block);
                    Interlocked.Add(ref _cachedBytes, o.BlockSize);
                }
            }
            mine.TrySetResult();
            SignalEvictorIfOverLimit();
            return;
        }
    }

    /// <summary>Reads [start, start+count) of the store's version into the spill file; a short store reads as zeros past its end.</summary>
    private async ValueTask FetchAsync(CachedObject o, long start, int count, CancellationToken cancellationToken)
    {
        var reader = await InnerReaderAsync(o, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            int filled = 0;
            while (filled < count)
            {
                int n = await reader.ReadAsync(start + filled, buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false);
                if (n <= 0) break;
                filled += n;
            }
            Array.Clear(buffer, filled, count - filled);
            _counters.Add(ContentCacheCounters.BytesFromInner, filled);
            await WriteSpillWithRetryAsync(o, start, buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A handle on the store's version this object caches, opened once per use of the object.</summary>
    private async ValueTask<IVfsFile> InnerReaderAsync(CachedObject o, CancellationToken cancellationToken)
    {
        Task<IVfsFile> task;
        TaskCompletionSource<IVfsFile>? mine = null;
        VfsPath path;
        lock (o.Sync)
        {
            if (o.InnerReader is null)
            {
                if (o.State == CachedObjectState.Detached || o.Path is null)
                    throw new VfsException(Errno.ESTALE, $"{o.Path}: removed or replaced before this part of it was cached");
                mine = new TaskCompletionSource<IVfsFile>(TaskCreationOptions.RunContinuationsAsynchronously);
                o.InnerReader = mine.Task;
            }
            task = o.InnerReader;
            path = o.Path!.Value;
        }
        if (mine is not null)
        {
            try
            {
                mine.SetResult(await Inner.OpenAsync(path, VfsOpenFlags.Read, default, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                lock (o.Sync)
                {
                    if (o.InnerReader == mine.Task) o.InnerReader = null;
                }
                mine.SetException(ex);
                _ = mine.Task.Exception; // observed here; the caller gets it below
            }
        }
        return await task.ConfigureAwait(false);
    }

    private async ValueTask<int> ReadSpillAsync(CachedObject o, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ISpillFile spill;
        lock (o.Sync) spill = SpillLocked(o);
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = await spill.ReadAsync(offset + total, buffer[total..], cancellationToken).ConfigureAwait(false);
                if (n <= 0) break;
                total += n;
            }
        }
        catch (IOException ex)
        {
            throw SpillErrors.Translate(ex, $"read of {o.Path} from the cache");
        }
        buffer.Span[total..].Clear(); // past the spill file's end: a hole left by an extension
        return buffer.Length;
    }

    /// <summary>Writes to the spill file; on a full disk, evicts clean objects once and retries, else ENOSPC.</summary>
    private async ValueTask WriteSpillWithRetryAsync(CachedObject o, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ISpillFile spill;
        lock (o.Sync) spill = SpillLocked(o);
        try
        {
            await spill.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (IOException ex) when (SpillErrors.IsDiskFull(ex))
        {
            if (EvictTo(Math.Max(0, CachedBytes - Math.Max(data.Length, o.BlockSize) * 4L)) == 0)
                throw SpillErrors.Translate(ex, $"write of {o.Path} to the cache");
        }
        catch (IOException ex)
        {
            throw SpillErrors.Translate(ex, $"write of {o.Path} to the cache");
        }
        try
        {
            await spill.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw SpillErrors.Translate(ex, $"write of {o.Path} to the cache");
        }
    }

    /// <summary>The open spill file (caller holds a lease and <see cref="CachedObject.Sync"/>); a file left longer by a crash is cut to size.</summary>
    private ISpillFile SpillLocked(CachedObject o)
    {
        if (o.Spill is not null) return o.Spill;
        try
        {
            var spill = _spill.Open(o.Id);
            if (spill.Length > o.Size) spill.SetLength(o.Size);
            o.Spill = spill;
            return spill;
        }
        catch (IOException ex)
        {
            throw SpillErrors.Translate(ex, $"cannot open the cache file of {o.Path}");
        }
    }

    /// <summary>Clean -> Dirty, committed at once (one index write per transition, none per write).</summary>
    private void MarkDirtyLocked(CachedObject o)
    {
        if (o.State == CachedObjectState.Clean)
        {
            o.State = CachedObjectState.Dirty;
            o.FailedUploads = 0;
            _index.Commit(o.ToRecord());
        }
    }

    private static bool NeedsFetchLocked(CachedObject o, long block) =>
        !o.Present.Contains(block) && block * o.BlockSize < o.FetchLimit;

    /// <summary>True when [offset, end) covers every byte of the block that would come from the store.</summary>
    private static bool Covers(CachedObject o, long block, long offset, long end)
    {
        long start = block * o.BlockSize;
        long fetchEnd = Math.Min(start + o.BlockSize, o.FetchLimit);
        return offset <= start && end >= fetchEnd;
    }

    private static async ValueTask WaitQuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The filler's own caller gets its error; a waiter just looks again.
        }
    }
}
