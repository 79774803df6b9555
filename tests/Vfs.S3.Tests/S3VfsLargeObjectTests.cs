using System.Diagnostics;
using System.Security.Cryptography;
using Vfs.Abstractions;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.S3.Tests;

/// <summary>Objects far larger than the part size go through the streamed multipart path with bounded memory, and come back byte for byte.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsLargeObjectTests(S3rverFixture server, ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Size of the large-object test; LAYEREDVFS_S3_LARGE_MIB overrides it (2048 by default, as issue 4 asks).</summary>
    private static long LargeSize =>
        (long.TryParse(Environment.GetEnvironmentVariable("LAYEREDVFS_S3_LARGE_MIB"), out var mib) ? mib : 2048) * S3VfsOptions.MiB;

    /// <summary>Deterministic, incompressible-looking content: a xorshift stream seeded by the block index.</summary>
    private static void Fill(Span<byte> block, long blockIndex)
    {
        ulong x = (ulong)blockIndex * 0x9E3779B97F4A7C15UL + 1;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(block);
        for (int i = 0; i < words.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words[i] = x;
        }
    }

    [Fact]
    public async Task WriteAndRead_LargeObject_StreamedWithBoundedMemory_SameSha256()
    {
        long size = LargeSize;
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        const int block = 1 << 20;
        var buffer = new byte[block];
        using var writtenHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long baseRss = process.WorkingSet64;
        long baseManaged = GC.GetTotalMemory(forceFullCollection: true);
        long peakRss = baseRss, peakManaged = baseManaged;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakRss = Math.Max(peakRss, process.WorkingSet64);
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var watch = Stopwatch.StartNew();
        var file = await vfs.OpenAsync(VfsPath.Parse("large.bin"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None);
        await using (file)
        {
            for (long offset = 0; offset < size; offset += block)
            {
                Fill(buffer, offset / block);
                writtenHash.AppendData(buffer);
                await file.WriteAsync(offset, buffer, None);
            }
            await file.FlushAsync(None);
        }
        var writeTime = watch.Elapsed;
        sampling.Cancel();
        await sampler;
        long rssDelta = peakRss - baseRss, managedDelta = peakManaged - baseManaged;
        output.WriteLine($"wrote {size >> 20} MiB in {writeTime.TotalSeconds:F1} s; peak RSS +{rssDelta >> 20} MiB, peak managed +{managedDelta >> 20} MiB");

        // part size 8 MiB x (4 in flight + 1 filling) = 40 MiB of buffers; the rest is the SDK, the GC and the runtime
        Assert.True(managedDelta < 160 * S3VfsOptions.MiB, $"managed heap grew by {managedDelta >> 20} MiB");
        Assert.True(rssDelta < 320 * S3VfsOptions.MiB, $"RSS grew by {rssDelta >> 20} MiB");

        var head = await server.Client.GetObjectMetadataAsync(bucket, "large.bin");
        Assert.Equal(size, head.ContentLength);

        watch.Restart();
        using var readHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = await vfs.OpenAsync(VfsPath.Parse("large.bin"), VfsOpenFlags.Read, default, None);
        await using (reader)
        {
            var readBuffer = new byte[128 * 1024]; // the kernel's FUSE read size
            long offset = 0;
            while (true)
            {
                int n = await reader.ReadAsync(offset, readBuffer, None);
                if (n == 0) break;
                readHash.AppendData(readBuffer, 0, n);
                offset += n;
            }
            Assert.Equal(size, offset);
        }
        output.WriteLine($"read {size >> 20} MiB in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Convert.ToHexString(writtenHash.GetHashAndReset()), Convert.ToHexString(readHash.GetHashAndReset()));
    }
}
