namespace Vfs.S3;

/// <summary>
/// The read handles open on each key, so that a handle keeps working on its file (IVfs minimum): a rename by this
/// mount moves the handles to the new key, and an unlink of a key still being read hides the name at once but
/// defers the DeleteObject until the last reader closes. If new content is written at a hidden key first, the
/// deferred delete is cancelled (those readers then see ESTALE, as for any replaced object). A deferred delete is
/// lost if the process dies before the reader closes: the object stays in the bucket.
/// Lock: <c>_sync</c> guards both maps and is never held across an await.
/// </summary>
internal sealed class S3OpenReaders
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, List<S3ReadFile>> _byKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unlinked = new(StringComparer.Ordinal);

    public void Add(S3ReadFile reader)
    {
        lock (_sync)
        {
            if (!_byKey.TryGetValue(reader.Key, out var readers)) _byKey[reader.Key] = readers = [];
            readers.Add(reader);
        }
    }

    /// <summary>Forgets a closed reader; returns the key to delete now when it was the last reader of an unlinked key.</summary>
    public string? Remove(S3ReadFile reader)
    {
        lock (_sync)
        {
            var key = reader.Key;
            if (!_byKey.TryGetValue(key, out var readers) || !readers.Remove(reader) || readers.Count > 0) return null;
            _byKey.Remove(key);
            return _unlinked.Remove(key) ? key : null;
        }
    }

    /// <summary>True when <paramref name="key"/> was unlinked while being read: it no longer exists for lookups and listings.</summary>
    public bool IsUnlinked(string key)
    {
        lock (_sync) return _unlinked.Count > 0 && _unlinked.Contains(key);
    }

    /// <summary>Hides <paramref name="key"/> and defers its deletion when readers have it open; false when it can go now.</summary>
    public bool TryDeferDelete(string key)
    {
        lock (_sync)
        {
            if (!_byKey.ContainsKey(key)) return false;
            _unlinked.Add(key);
            return true;
        }
    }

    /// <summary>New content goes to <paramref name="key"/>: a deferred delete of its old version must not remove it.</summary>
    public void CancelDeferredDelete(string key)
    {
        lock (_sync) _unlinked.Remove(key);
    }

    /// <summary>The readers open on <paramref name="key"/> now.</summary>
    public IReadOnlyList<S3ReadFile> On(string key)
    {
        lock (_sync) return _byKey.TryGetValue(key, out var readers) ? [.. readers] : [];
    }

    /// <summary>A file rename: readers of <paramref name="from"/> now read <paramref name="to"/>.</summary>
    public void Move(string from, string to)
    {
        lock (_sync) MoveLocked(from, to);
    }

    /// <summary>A directory rename: readers of every key below <paramref name="fromPrefix"/> follow.</summary>
    public void MovePrefix(string fromPrefix, string toPrefix)
    {
        lock (_sync)
        {
            foreach (var key in _byKey.Keys.Where(k => k.StartsWith(fromPrefix, StringComparison.Ordinal)).ToList())
                MoveLocked(key, toPrefix + key[fromPrefix.Length..]);
        }
    }

    private void MoveLocked(string from, string to)
    {
        if (!_byKey.Remove(from, out var readers)) return;
        foreach (var reader in readers) reader.Key = to;
        if (_byKey.TryGetValue(to, out var existing)) existing.AddRange(readers);
        else _byKey[to] = readers;
    }
}
