using System.Diagnostics;
using System.Text;
using Vfs.Testing.Mount;
using Xunit.Abstractions;

namespace Vfs.Fuse.Tests.Stack;

/// <summary>
/// What users do with files, through a real mount of s3rver over the full stack: each change must reach the bucket
/// as the exact bytes (checked with the raw SDK), not just look right through the mount. Uploads at close
/// (--write-back-delay 0) unless a test needs them held back.
/// </summary>
public sealed class StackWriteTests(S3StackFixture stack, ITestOutputHelper output) : IClassFixture<S3StackFixture>
{
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromSeconds(20);

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private async Task<(string Bucket, VfsMount Mount)> MountWithAsync(string key, byte[] content, params string[] options)
    {
        string bucket = await stack.Server.CreateBucketAsync();
        await stack.Server.PutAsync(bucket, key, content);
        var mount = await stack.MountAsync(bucket, null, ["--write-back-delay", "0", .. options]);
        return (bucket, mount);
    }

    private static async Task Run(VfsMount mount, string script)
    {
        var result = await mount.BashAsync(script);
        Assert.True(result.ExitCode == 0, $"{script}\n{result}\nmount output:\n{mount.Output}");
    }

    [Fact]
    public async Task EchoAppend_ExistingObject_ObjectGainsTheLine()
    {
        var original = Encoding.ASCII.GetBytes("first line\n");
        var (bucket, mount) = await MountWithAsync("notes.txt", original);
        await using var _ = mount;

        await Run(mount, "echo 'second line' >> notes.txt");

        await stack.WaitForObjectAsync(bucket, "notes.txt", Encoding.ASCII.GetBytes("first line\nsecond line\n"), UploadTimeout);
    }

    [Fact]
    public async Task DdNotrunc_MiddleOfFile_OnlyThoseBytesChange()
    {
        var original = Pattern(3 << 20, 1); // 3 MiB: spans several 1 MiB blocks
        var (bucket, mount) = await MountWithAsync("data.bin", original);
        await using var _ = mount;

        await Run(mount, "printf 'XXXXXXXXXXXXXXXX' | dd of=data.bin bs=1 seek=1572860 conv=notrunc status=none");

        var expected = (byte[])original.Clone();
        Encoding.ASCII.GetBytes("XXXXXXXXXXXXXXXX").CopyTo(expected, 1572860);
        await stack.WaitForObjectAsync(bucket, "data.bin", expected, UploadTimeout);
    }

    [Fact]
    public async Task Truncate_DownThenUp_ObjectIsPrefixThenZeros()
    {
        var original = Pattern(100_000, 2);
        var (bucket, mount) = await MountWithAsync("t.bin", original);
        await using var _ = mount;

        await Run(mount, "truncate -s 1000 t.bin && test $(stat -c %s t.bin) = 1000");
        await stack.WaitForObjectAsync(bucket, "t.bin", original[..1000], UploadTimeout);

        await Run(mount, "truncate -s 5000 t.bin && test $(stat -c %s t.bin) = 5000");
        var expected = new byte[5000];
        original.AsSpan(0, 1000).CopyTo(expected);
        await stack.WaitForObjectAsync(bucket, "t.bin", expected, UploadTimeout);
        await Run(mount, "cmp <(head -c 1000 t.bin) <(head -c 1000 t.bin) && test \"$(tail -c 4000 t.bin | tr -d '\\0' | wc -c)\" = 0");
    }

    [Fact]
    public async Task EditorSave_TempFsyncRenameOver_ObjectIsNewContentAndNoTempLeft()
    {
        var (bucket, mount) = await MountWithAsync("doc.txt", Encoding.ASCII.GetBytes("old text\n"));
        await using var _ = mount;

        // What vim and most editors do: write a temp file beside it, fsync it, rename it over the original.
        await Run(mount, "printf 'new text, longer than before\\n' > .doc.txt.swp && sync .doc.txt.swp && mv .doc.txt.swp doc.txt && cat doc.txt");

        await stack.WaitForObjectAsync(bucket, "doc.txt", Encoding.ASCII.GetBytes("new text, longer than before\n"), UploadTimeout);
        Assert.DoesNotContain(".doc.txt.swp", await stack.Server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Kill9AfterCp_RemountSameCacheDir_UploadsTheFile()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        string cacheDirectory = stack.NewCacheDirectory();
        var content = Pattern(2 << 20, 3);
        string source = Path.Combine(Path.GetTempPath(), "vfs-stack-src-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllBytesAsync(source, content);
        try
        {
            // A long write-back delay: nothing is uploaded before the kill.
            await using (var mount = await stack.MountAsync(bucket, cacheDirectory, "--write-back-delay", "10m"))
            {
                await Run(mount, $"cp {source} copy.bin");
                await mount.KillAsync();
            }
            var before = await stack.Server.GetBytesAsync(bucket, "copy.bin"); // created empty at open, content not yet sent
            Assert.NotEqual(content.Length, before.Length);

            await using var remount = await stack.MountAsync(bucket, cacheDirectory, "--write-back-delay", "10m");
            var took = await stack.WaitForObjectAsync(bucket, "copy.bin", content, UploadTimeout);
            output.WriteLine($"remount uploaded the file left dirty by kill -9 after {took.TotalSeconds:F2} s");
            await Run(remount, $"cmp {source} copy.bin");
        }
        finally
        {
            File.Delete(source);
        }
    }

    [Fact]
    public async Task Mount_CacheDirInUse_OneLineAndNonZeroExit()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        string cacheDirectory = stack.NewCacheDirectory();
        await using var first = await stack.MountAsync(bucket, cacheDirectory);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stack.MountAsync(bucket, cacheDirectory));

        Assert.Contains("is in use by another mount", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        Assert.Matches("exited with [1-9]", error.Message);
    }

    [Fact]
    public async Task Unmount_PendingUploads_DrainedWithProgressBeforeExit()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        var mount = await stack.MountAsync(bucket, null, "--write-back-delay", "10m");
        await using var _ = mount;
        await Run(mount, "for i in 1 2 3; do head -c 300000 /dev/urandom > f$i; done; sha256sum f1 f2 f3 > /tmp/vfs-drain-$$.sum; cat /tmp/vfs-drain-$$.sum; rm /tmp/vfs-drain-$$.sum");

        var result = await Shell.RunAsync("dotnet", [VfsMount.CliPath, "unmount", mount.MountPoint]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(mount.HasExited, "vfs unmount returned before the mount process finished its drain");
        Assert.Contains("uploading before exit: 3/3 files", mount.Output);
        foreach (var name in new[] { "f1", "f2", "f3" })
            Assert.Equal(300000, (await stack.Server.GetBytesAsync(bucket, name)).Length);
    }

    [Fact]
    public async Task Sigterm_PendingUploads_DrainedBeforeExit()
    {
        string bucket = await stack.Server.CreateBucketAsync();
        var mount = await stack.MountAsync(bucket, null, "--write-back-delay", "10m");
        await using var _ = mount;
        await Run(mount, "head -c 200000 /dev/urandom > a.bin; head -c 100000 /dev/urandom > b.bin");

        var kill = await Shell.RunAsync("kill", ["-TERM", mount.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
        var clock = Stopwatch.StartNew();
        while (!mount.HasExited)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the mount process did not exit after SIGTERM:\n" + mount.Output);
            await Task.Delay(50);
        }
        Assert.Equal(0, await mount.UnmountAsync()); // it unmounted itself: this only reads the exit code

        Assert.Contains("uploading before exit: 2/2 files", mount.Output);
        Assert.Equal(200000, (await stack.Server.GetBytesAsync(bucket, "a.bin")).Length);
        Assert.Equal(100000, (await stack.Server.GetBytesAsync(bucket, "b.bin")).Length);
    }

    [Fact]
    public async Task LargeFile_WrittenAndReadBack_Sha256MatchesAndPeakRssRecorded()
    {
        int mib = int.TryParse(Environment.GetEnvironmentVariable("VFS_STACK_LARGE_MIB"), out int given) ? given : 1024;
        string bucket = await stack.Server.CreateBucketAsync();
        var mount = await stack.MountAsync(bucket, null, "--write-back-delay", "0");
        await using var _ = mount;

        var clock = Stopwatch.StartNew();
        var write = await mount.BashAsync(
            $"head -c {mib}M /dev/urandom | tee big.bin | sha256sum | cut -d' ' -f1", TimeSpan.FromMinutes(10));
        Assert.True(write.ExitCode == 0, write.ToString());
        var written = clock.Elapsed;
        var read = await mount.BashAsync("sha256sum big.bin | cut -d' ' -f1", TimeSpan.FromMinutes(10));
        var readBack = clock.Elapsed - written;
        Assert.Equal(write.Stdout.Trim(), read.Stdout.Trim());

        // In the store: a HEAD until the size matches (the upload runs after close), then the mount's peak RSS.
        while (true)
        {
            try
            {
                var head = await stack.Server.Client.GetObjectMetadataAsync(bucket, "big.bin");
                if (head.ContentLength == (long)mib << 20) break;
            }
            catch (Amazon.S3.AmazonS3Exception)
            {
                // s3rver answers 500 to a HEAD while it replaces the object
            }
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10), "the object never reached its size in S3");
            await Task.Delay(200);
        }
        var inStore = clock.Elapsed;
        string peak = File.ReadLines($"/proc/{mount.ProcessId}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        output.WriteLine($"{mib} MiB: closed after {written.TotalSeconds:F1} s ({mib / written.TotalSeconds:F0} MiB/s), " +
                         $"read back (sha256) in {readBack.TotalSeconds:F1} s ({mib / readBack.TotalSeconds:F0} MiB/s), " +
                         $"in S3 after {inStore.TotalSeconds:F1} s; mount peak RSS {peak}");
    }
}
