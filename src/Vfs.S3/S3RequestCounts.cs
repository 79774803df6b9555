using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Vfs.S3;

/// <summary>
/// How many S3 requests a mount has sent, by kind (HEAD, LIST, GET, PUT, COPY, DELETE, DeleteObjects and the
/// multipart calls). Every attempt counts, retries included, since each is a request the server sees. Thread-safe.
/// </summary>
public sealed class S3RequestCounts
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);

    internal void Add(string kind) => Interlocked.Increment(ref _counts.GetOrAdd(kind, static _ => new StrongBox<long>()).Value);

    /// <summary>The count of one kind (0 when none was sent).</summary>
    public long this[string kind] => _counts.TryGetValue(kind, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>All requests sent.</summary>
    public long Total => _counts.Values.Sum(b => Interlocked.Read(ref b.Value));

    /// <summary>A copy of the counts, by kind.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        _counts.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal);

    /// <summary>One line, kinds in name order: <c>total=12 GET=2 HEAD=7 LIST=3</c>.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { $"total={Total}" }.Concat(Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
}
