using Vfs.Abstractions;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>The SQLite index alone: rows, blocks, path swaps, batched counters, reopen.</summary>
public sealed class ContentIndexTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "contentindex-" + Guid.NewGuid().ToString("N"));

    public ContentIndexTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ObjectRecord Record(string? path, CachedObjectState state = CachedObjectState.Clean) => new()
    {
        Path = path,
        State = state,
        Size = 1000,
        FetchLimit = 900,
        BlockSize = 65536,
        ETag = "\"e1\"",
        InnerSize = 1000,
        InnerModifiedTicks = 42,
        ModifiedTicks = 43,
        Mode = 420,
        Uid = 1000,
        Gid = 100,
        LastAccessTicks = 44,
    };

    [Fact]
    public void Commit_RowAndBlocks_SurviveReopen()
    {
        long id;
        using (var index = ContentIndex.Open(_directory))
        {
            id = index.Insert(Record("a/b"));
            index.Commit(Record("a/b", CachedObjectState.Dirty) with { Id = id, Size = 5 }, [0, 1, 7]);
            index.Commit(Record("a/b", CachedObjectState.Dirty) with { Id = id, Size = 5 }, [9], dropBlocksFrom: 5);
        }
        using (var index = ContentIndex.Open(_directory))
        {
            var row = Assert.Single(index.LoadObjects());
            Assert.Equal(Record("a/b", CachedObjectState.Dirty) with { Id = id, Size = 5 }, row);
            Assert.Equal([0L, 1L, 9L], index.LoadBlocks()[id].Order());
        }
    }

    [Fact]
    public void Insert_IdsNeverReused_EvenAfterDelete()
    {
        using var index = ContentIndex.Open(_directory);
        long first = index.Insert(Record("x"));
        index.Delete([first]);
        long second = index.Insert(Record("x"));
        Assert.True(second > first);
        Assert.Empty(index.LoadBlocks());
    }

    [Fact]
    public void SetPaths_Swap_DoesNotCollide()
    {
        using var index = ContentIndex.Open(_directory);
        long a = index.Insert(Record("a"));
        long b = index.Insert(Record("b"));
        index.SetPaths([(a, "b", CachedObjectState.Clean), (b, "a", CachedObjectState.Dirty)]);
        var rows = index.LoadObjects().ToDictionary(r => r.Id);
        Assert.Equal("b", rows[a].Path);
        Assert.Equal("a", rows[b].Path);
        Assert.Equal(CachedObjectState.Dirty, rows[b].State);
    }

    [Fact]
    public void Insert_DuplicatePath_IsEioAndChangesNothing()
    {
        using var index = ContentIndex.Open(_directory);
        index.Insert(Record("same"));
        var error = Assert.Throws<VfsException>(() => index.Insert(Record("same")));
        Assert.Equal(Errno.EIO, error.Errno);
        Assert.Single(index.LoadObjects());
    }

    [Fact]
    public void WriteBatch_CounterDeltasAdd()
    {
        using var index = ContentIndex.Open(_directory);
        long id = index.Insert(Record("f"));
        index.WriteBatch([(id, 99L)], [(id, [3L])], new Dictionary<string, long> { ["hit_bytes"] = 10, ["evictions"] = 0 });
        index.WriteBatch([], [], new Dictionary<string, long> { ["hit_bytes"] = 5 });
        Assert.Equal(15, index.ReadCounters()["hit_bytes"]);
        Assert.False(index.ReadCounters().ContainsKey("evictions"));
        Assert.Equal(99, index.LoadObjects()[0].LastAccessTicks);
        Assert.Equal([3L], index.LoadBlocks()[id]);
    }

    [Fact]
    public void BlockSet_AddRemoveEnumerate()
    {
        var set = new BlockSet();
        Assert.True(set.Add(0));
        Assert.True(set.Add(200));
        Assert.False(set.Add(200));
        Assert.True(set.Add(64));
        Assert.Equal(3, set.Count);
        Assert.Equal([0L, 64L, 200L], set.Enumerate());
        Assert.Equal(2, set.RemoveFrom(64));
        Assert.Equal([0L], set.Enumerate());
        Assert.False(set.Contains(200));
        Assert.Equal(1, set.Count);
    }
}
