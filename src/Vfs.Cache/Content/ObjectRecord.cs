namespace Vfs.Cache.Content;

/// <summary>
/// One row of the index's <c>objects</c> table: a cached object version. <see cref="FetchLimit"/> is the end of
/// the range whose bytes still come from the store's version <see cref="ETag"/>/<see cref="InnerSize"/>/
/// <see cref="InnerModifiedTicks"/>; a block absent from the spill file is fetched only below it, and reads as
/// zeros above it (the file was truncated or extended locally).
/// </summary>
internal sealed record ObjectRecord
{
    public long Id { get; init; }
    public string? Path { get; init; }
    public CachedObjectState State { get; init; }
    public long Size { get; init; }
    public long FetchLimit { get; init; }
    public int BlockSize { get; init; }
    public string? ETag { get; init; }
    public long InnerSize { get; init; }
    public long InnerModifiedTicks { get; init; }
    public long ModifiedTicks { get; init; }
    public int Mode { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public long LastAccessTicks { get; init; }
}
