using System.Collections.Concurrent;

namespace Vfs.Fuse;

/// <summary>Numbers handed to the kernel as fuse_file_info.fh for open files or directories. Lock-free.</summary>
internal sealed class HandleTable<T>
    where T : class
{
    private readonly ConcurrentDictionary<ulong, T> _handles = new();
    private long _next;

    public int Count => _handles.Count;

    public ICollection<T> Values => _handles.Values;

    public ulong Add(T handle)
    {
        ulong fh = (ulong)Interlocked.Increment(ref _next);
        _handles[fh] = handle;
        return fh;
    }

    public bool TryGet(ulong fh, out T handle) => _handles.TryGetValue(fh, out handle!);

    public bool TryRemove(ulong fh, out T handle) => _handles.TryRemove(fh, out handle!);
}
