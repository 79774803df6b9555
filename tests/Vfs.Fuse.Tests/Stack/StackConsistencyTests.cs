using System.Diagnostics;
using System.Text;
using Vfs.Testing.Mount;
using Xunit.Abstractions;

namespace Vfs.Fuse.Tests.Stack;

/// <summary>
/// Another writer of the bucket (the raw SDK) while it is mounted through the full stack with --metadata-ttl 1s: each
/// create, change and delete must show through the mount within the TTL plus a margin (the kernel's timeouts are
/// capped at the TTL, so its caches add nothing beyond it), content included, and never go stale again after it.
/// A file already open for reading keeps serving the version it opened.
/// </summary>
public sealed class StackConsistencyTests(S3StackFixture stack, ITestOutputHelper output) : IClassFixture<S3StackFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1);

    /// <summary>TTL plus time for the polling shell, a revalidating HEAD and a loaded 2-core machine.</summary>
    private static readonly TimeSpan Deadline = Ttl + TimeSpan.FromSeconds(1.5);

    private const string Absent = "<absent>";

    private static async Task<string> ReadAsync(VfsMount mount, string name)
    {
        // The shell's output comes back by lines: compare digests, not raw bytes. A name that cannot be opened is absent
        // (stat may still show a name the store has just lost, until the open asks the store).
        var result = await mount.BashAsync($"if out=$(sha256sum < {name}); then echo ${{out%% *}}; else echo '{Absent}'; fi");
        Assert.True(result.ExitCode == 0, result + "\n" + mount.Output);
        return result.Stdout.Trim();
    }

    private static string Digest(string text) => S3StackFixture.Sha(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads until <paramref name="expected"/> (a sha256, or <see cref="Absent"/>) shows (within <see cref="Deadline"/>), then keeps reading for a while: it must stay.</summary>
    private async Task SeenWithinTtlAndStaysAsync(VfsMount mount, string name, string expected, string what)
    {
        var clock = Stopwatch.StartNew();
        string seen;
        while ((seen = await ReadAsync(mount, name)) != expected)
        {
            Assert.True(clock.Elapsed < Deadline, $"{what}: still '{seen}' after {clock.Elapsed.TotalSeconds:F2} s (TTL {Ttl.TotalSeconds} s)");
            await Task.Delay(50);
        }
        output.WriteLine($"{what}: seen after {clock.Elapsed.TotalSeconds:F2} s");
        var after = Stopwatch.StartNew();
        while (after.Elapsed < Ttl * 1.5)
        {
            Assert.Equal(expected, await ReadAsync(mount, name));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task OtherWriter_CreateChangeDelete_SeenWithinTtlNeverStaleAfter()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        await using var mount = await stack.MountAsync(bucket, null, "--metadata-ttl", "1s");

        // The name is looked up first, so both the kernel and the metadata cache hold it as absent.
        Assert.Equal(Absent, await ReadAsync(mount, "shared.txt"));
        await stack.Server.PutAsync(bucket, "shared.txt", Encoding.ASCII.GetBytes("version one"));
        await SeenWithinTtlAndStaysAsync(mount, "shared.txt", Digest("version one"), "created");

        // Same size, so only the content (and ETag) tells the versions apart; the pages read above must not be served.
        await stack.Server.PutAsync(bucket, "shared.txt", Encoding.ASCII.GetBytes("version TWO"));
        await SeenWithinTtlAndStaysAsync(mount, "shared.txt", Digest("version TWO"), "changed");

        await stack.Server.Client.DeleteObjectAsync(bucket, "shared.txt");
        await SeenWithinTtlAndStaysAsync(mount, "shared.txt", Absent, "deleted");

        var listing = await mount.BashAsync("ls -a");
        Assert.DoesNotContain("shared.txt", listing.Stdout);
    }

    [Fact]
    public async Task OtherWriter_TtlZero_SeenAtOnce()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        await using var mount = await stack.MountAsync(bucket, null, "--metadata-ttl", "0");

        // With TTL 0 the kernel's timeouts are 0 too: no cache anywhere may answer for the store.
        Assert.Equal(Absent, await ReadAsync(mount, "now.txt"));
        await stack.Server.PutAsync(bucket, "now.txt", Encoding.ASCII.GetBytes("one"));
        Assert.Equal(Digest("one"), await ReadAsync(mount, "now.txt"));
        await stack.Server.PutAsync(bucket, "now.txt", Encoding.ASCII.GetBytes("two"));
        Assert.Equal(Digest("two"), await ReadAsync(mount, "now.txt"));
        await stack.Server.Client.DeleteObjectAsync(bucket, "now.txt");
        Assert.Equal(Absent, await ReadAsync(mount, "now.txt"));
    }

    [Fact]
    public async Task OtherWriter_ChangesFileOpenForReading_OpenHandleKeepsItsVersion()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        var first = new byte[300_000];
        var second = new byte[300_000];
        new Random(1).NextBytes(first);
        new Random(2).NextBytes(second);
        await stack.Server.PutAsync(bucket, "open.bin", first);
        await using var mount = await stack.MountAsync(bucket, null, "--metadata-ttl", "1s");
        string flags = Path.Combine(Path.GetTempPath(), "vfs-open-" + Guid.NewGuid().ToString("N")[..8]);

        // A reader opens and reads the file, waits while the object is replaced, then reads it again through the same fd.
        string script = $$"""
            import os, hashlib, time
            fd = os.open('open.bin', os.O_RDONLY)
            a = os.pread(fd, 1 << 20, 0)
            open('{{flags}}.ready', 'w').close()
            while not os.path.exists('{{flags}}.go'): time.sleep(0.02)
            b = os.pread(fd, 1 << 20, 0)
            print(hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest(), len(b))
            """;
        var reader = mount.BashAsync($"python3 -c \"{script.Replace("\"", "\\\"")}\"");
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(flags + ".ready"))
            {
                if (reader.IsCompleted) Assert.Fail("the reader ended early: " + await reader);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the reader did not open the file");
                await Task.Delay(20);
            }
            await stack.Server.PutAsync(bucket, "open.bin", second);
            // Another process sees the new version (so the mount learned of the change and told the kernel)...
            await SeenWithinTtlAndStaysAsync(mount, "open.bin", S3StackFixture.Sha(second), "changed under an open reader");
            await File.WriteAllTextAsync(flags + ".go", "");
            var result = await reader;
            Assert.True(result.ExitCode == 0, result.ToString());

            // ...while the reader's open file still reads the version it opened.
            string firstSha = S3StackFixture.Sha(first);
            Assert.True($"{firstSha} {firstSha} {first.Length}" == result.Stdout.Trim(),
                $"the open reader read {result.Stdout.Trim()}; first version {firstSha}, second {S3StackFixture.Sha(second)}\n{mount.Output}");
        }
        finally
        {
            File.Delete(flags + ".ready");
            File.Delete(flags + ".go");
        }
    }
}
