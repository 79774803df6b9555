using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>
/// One S3ReadFile handle under concurrent reads, as the kernel sends them with a large read-ahead: several 1 MiB reads
/// in flight at once, out of order, mixed with overlapping and small random reads. Every byte is checked.
/// </summary>
public sealed class S3ReadFileConcurrencyTests
{
    private const int MiB = 1024 * 1024;
    private const int Size = 24 * MiB + 12345;
    private static readonly CancellationToken None = CancellationToken.None;

    private static byte ByteAt(long offset) => (byte)(offset * 7 + offset / 251);

    private static readonly byte[] Content = Enumerable.Range(0, Size).Select(i => ByteAt(i)).ToArray();

    private static async Task<S3ReadFile> OpenAsync()
    {
        var s3 = new InMemoryS3Client();
        s3.Put("f", Content);
        var vfs = new S3Vfs(s3, new S3VfsOptions { Bucket = "bucket", DefaultUid = 1, DefaultGid = 1 });
        return (S3ReadFile)await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
    }

    private static async Task ReadAndCheckAsync(S3ReadFile file, long offset, int length)
    {
        var buffer = new byte[length];
        int n = await file.ReadAsync(offset, buffer, None);
        int expected = (int)Math.Max(0, Math.Min(length, Size - offset));
        Assert.True(n == expected, $"read at {offset} of {length}: {n} bytes where {expected} were expected");
        if (n == 0 || buffer.AsSpan(0, n).SequenceEqual(Content.AsSpan((int)offset, n))) return;
        int wrong = Enumerable.Range(0, n).First(i => buffer[i] != ByteAt(offset + i));
        Assert.Fail($"read at {offset} of {length}: wrong byte at {offset + wrong} ({buffer[wrong]} where {ByteAt(offset + wrong)} was expected)");
    }

    [Theory]
    [InlineData(1), InlineData(2), InlineData(3), InlineData(4)]
    public async Task ReadAsync_ConcurrentOutOfOrderMiBReads_EveryByteRight(int seed)
    {
        var random = new Random(seed);
        for (int pass = 0; pass < 2; pass++)
        {
            await using var file = await OpenAsync();
            // a sequential stream read in batches of 4 concurrent 1 MiB reads arriving in shuffled order (4 MiB read-ahead)
            for (long batch = 0; batch < Size; batch += 4 * MiB)
            {
                var offsets = Enumerable.Range(0, 4).Select(i => batch + (long)i * MiB).Where(o => o < Size).ToArray();
                random.Shuffle(offsets);
                await Task.WhenAll(offsets.Select(o => Task.Run(() => ReadAndCheckAsync(file, o, MiB))));
            }
        }
    }

    [Theory]
    [InlineData(11), InlineData(12), InlineData(13), InlineData(14), InlineData(15), InlineData(16)]
    public async Task ReadAsync_ConcurrentMixedReadsOnOneHandle_EveryByteRight(int seed)
    {
        var random = new Random(seed);
        await using var file = await OpenAsync();
        var reads = new List<(long Offset, int Length)>();
        for (int run = 0; run < 6; run++)
        {
            // a sequential run from a random place (wakes the prefetcher), then overlapping and small random reads
            long start = random.NextInt64(0, Size);
            for (int i = 0; i < 6; i++) reads.Add((start + (long)i * MiB, MiB));
            for (int i = 0; i < 4; i++) reads.Add((random.NextInt64(0, Size), MiB));
            for (int i = 0; i < 6; i++) reads.Add((random.NextInt64(0, Size), random.Next(1, 200_000)));
        }
        // keep a rough order (like a kernel's several streams) but let reads overtake each other within a window of 6
        var tasks = new List<Task>();
        for (int i = 0; i < reads.Count; i += 6)
        {
            var batch = reads.Skip(i).Take(6).ToArray();
            random.Shuffle(batch);
            tasks.AddRange(batch.Select(r => Task.Run(() => ReadAndCheckAsync(file, r.Offset, r.Length))));
            if (random.Next(3) == 0) await Task.WhenAll(tasks);
        }
        await Task.WhenAll(tasks);
    }
}
