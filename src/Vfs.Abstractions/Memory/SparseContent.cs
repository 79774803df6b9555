namespace Vfs.Abstractions.Memory;

/// <summary>
/// The bytes of a memory file as fixed-size pages; a page never written reads as zeros, so a write far past the end
/// (a sparse file) costs only the pages it touches. Not thread-safe: <see cref="MemoryVfs"/> holds its lock.
/// </summary>
internal sealed class SparseContent
{
    private const int PageSize = 64 * 1024;

    private readonly Dictionary<long, byte[]> _pages = new();

    public long Length { get; private set; }

    /// <summary>Bytes held in pages (what statfs counts as used).</summary>
    public long AllocatedBytes => (long)_pages.Count * PageSize;

    public int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length) return 0;
        int count = (int)Math.Min(destination.Length, Length - offset);
        int done = 0;
        while (done < count)
        {
            long position = offset + done;
            long pageIndex = position / PageSize;
            int inPage = (int)(position % PageSize);
            int chunk = Math.Min(count - done, PageSize - inPage);
            var target = destination.Slice(done, chunk);
            if (_pages.TryGetValue(pageIndex, out var page)) page.AsSpan(inPage, chunk).CopyTo(target);
            else target.Clear();
            done += chunk;
        }
        return count;
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        int done = 0;
        while (done < source.Length)
        {
            long position = offset + done;
            long pageIndex = position / PageSize;
            int inPage = (int)(position % PageSize);
            int chunk = Math.Min(source.Length - done, PageSize - inPage);
            if (!_pages.TryGetValue(pageIndex, out var page))
            {
                page = new byte[PageSize];
                _pages[pageIndex] = page;
            }
            source.Slice(done, chunk).CopyTo(page.AsSpan(inPage, chunk));
            done += chunk;
        }
        Length = Math.Max(Length, offset + source.Length);
    }

    /// <summary>Shrinks or extends to <paramref name="size"/>; bytes beyond a shrink are gone, so a later extend reads zeros.</summary>
    public void SetLength(long size)
    {
        if (size < Length)
        {
            long firstDropped = (size + PageSize - 1) / PageSize;
            foreach (var index in _pages.Keys.Where(index => index >= firstDropped).ToList()) _pages.Remove(index);
            int tail = (int)(size % PageSize);
            if (tail != 0 && _pages.TryGetValue(size / PageSize, out var last)) last.AsSpan(tail).Clear();
        }
        Length = size;
    }
}
