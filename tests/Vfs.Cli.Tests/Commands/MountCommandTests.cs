using System.Diagnostics;
using System.Text.RegularExpressions;
using Vfs.Testing.Mount;

namespace Vfs.Cli.Tests.Commands;

/// <summary>`vfs mount` and `vfs unmount` run as a user runs them: child processes, exit codes, one-line errors.</summary>
public sealed class MountCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-cli-").FullName;

    public void Dispose()
    {
        foreach (var dir in Directory.GetDirectories(_root))
        {
            if (VfsMount.MountTypeAt(dir) is not null) Shell.RunAsync("umount", ["-l", dir]).GetAwaiter().GetResult();
        }
        Directory.Delete(_root, recursive: true);
    }

    private static Task<ShellResult> VfsAsync(params string[] arguments) =>
        Shell.RunAsync("dotnet", [VfsMount.CliPath, .. arguments], timeout: TimeSpan.FromSeconds(90));

    private static void AssertOneLineError(ShellResult result, int exitCode, string expected)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line:\n{result}");
        Assert.StartsWith("vfs: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);
    }

    private string NewDirectory(string name)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task Mount_MissingMountPoint_OneLineAndExit1()
    {
        var result = await VfsAsync("mount", "memory:", Path.Combine(_root, "nowhere"));
        AssertOneLineError(result, 1, "does not exist");
    }

    [Fact]
    public async Task Mount_MountPointIsAFile_OneLineAndExit1()
    {
        string file = Path.Combine(_root, "file");
        File.WriteAllText(file, "x");
        var result = await VfsAsync("mount", "memory:", file);
        AssertOneLineError(result, 1, "is not a directory");
    }

    [Fact]
    public async Task Mount_UnknownSource_UsageErrorExit2()
    {
        var result = await VfsAsync("mount", "ftp://host/x", NewDirectory("m"));
        AssertOneLineError(result, 2, "unknown source 'ftp://host/x'");
    }

    [Fact]
    public async Task Mount_LocalSourceMissing_OneLineAndExit1()
    {
        var result = await VfsAsync("mount", "local:" + Path.Combine(_root, "absent"), NewDirectory("m"));
        AssertOneLineError(result, 1, "does not exist");
    }

    [Theory]
    [InlineData("--file-mode", "9z9", "not an octal mode")]
    [InlineData("--entry-timeout", "soon", "not a duration")]
    [InlineData("--uid", "-5", "--uid")]
    public async Task Mount_BadOptionValue_UsageErrorExit2(string option, string value, string expected)
    {
        var result = await VfsAsync("mount", "memory:", NewDirectory("m"), option, value);
        AssertOneLineError(result, 2, expected);
    }

    [Fact]
    public async Task Mount_UnknownOption_UsageErrorExit2()
    {
        var result = await VfsAsync("mount", "memory:", NewDirectory("m"), "--no-such-option");
        AssertOneLineError(result, 2, "--no-such-option");
    }

    [Fact]
    public async Task Mount_NoDevFuse_OneLineAndExit1()
    {
        // A private mount namespace whose /dev is an empty tmpfs (with a plain /dev/null for the runtime).
        string script = $"mount -t tmpfs tmpfs /dev && touch /dev/null && chmod 666 /dev/null && exec dotnet '{VfsMount.CliPath}' mount memory: '{NewDirectory("m")}'";
        var result = await Shell.RunAsync("unshare", ["-m", "--propagation", "private", "bash", "-c", script], timeout: TimeSpan.FromSeconds(90));
        AssertOneLineError(result, 1, "/dev/fuse is missing");
    }

    [Fact]
    public async Task Mount_NoLibFuse3_OneLineAndExit1()
    {
        // A private mount namespace where libfuse3's file is an empty one: the library cannot be loaded.
        string empty = Path.Combine(_root, "empty.so");
        File.WriteAllText(empty, "");
        string script = $"mount --bind '{empty}' \"$(readlink -f /lib/x86_64-linux-gnu/libfuse3.so.3)\" && exec dotnet '{VfsMount.CliPath}' mount memory: '{NewDirectory("m")}'";
        var result = await Shell.RunAsync("unshare", ["-m", "--propagation", "private", "bash", "-c", script], timeout: TimeSpan.FromSeconds(90));
        AssertOneLineError(result, 1, "libfuse3 is not installed");
    }

    [Fact]
    public async Task Unmount_NotMounted_OneLineAndExit1()
    {
        var result = await VfsAsync("unmount", NewDirectory("m"));
        AssertOneLineError(result, 1, "is not mounted");
    }

    [Fact]
    public async Task Mount_AlreadyMounted_OneLineAndExit1()
    {
        await using var mount = await VfsMount.StartAsync("memory:");
        var result = await VfsAsync("mount", "memory:", mount.MountPoint);
        AssertOneLineError(result, 1, "is already mounted (fuse.layeredvfs)");
    }

    [Fact]
    public async Task Mount_StaleMountOfKilledProcess_ClearedAndMountedAgain()
    {
        string mountPoint = NewDirectory("stale");
        await using (var first = await VfsMount.StartAtAsync("memory:", NewDirectory("stale-root"), mountPoint))
        {
            await first.KillAsync();
            var stat = await Shell.RunAsync("stat", [mountPoint]);
            Assert.True(stat.Stderr.Contains("Transport endpoint is not connected"), stat.ToString());

            await using var second = await VfsMount.StartAtAsync("memory:", NewDirectory("stale-root2"), mountPoint);
            await second.WaitForOutputAsync("cleared a stale mount");
            var ls = await second.BashAsync("echo alive > f && cat f");
            Assert.Equal("alive\n", ls.Stdout);
        }
        Assert.Null(VfsMount.MountTypeAt(mountPoint));
    }

    [Fact]
    public async Task Mount_Sigterm_FlushesUnmountsAndExits0()
    {
        await using var mount = await VfsMount.StartAsync("memory:");
        var write = await mount.BashAsync("echo data > f");
        Assert.Equal(0, write.ExitCode);
        await Shell.RunAsync("kill", ["-TERM", mount.ProcessId.ToString()]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!mount.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(mount.HasExited, mount.Output);
        Assert.Null(VfsMount.MountTypeAt(mount.MountPoint));
        await mount.WaitForOutputAsync("unmounted");
        Assert.Equal(0, await mount.UnmountAsync());
    }

    [Fact]
    public async Task Mount_SigtermWhileAFileIsOpen_FlushesDetachesAndExitsAfterTheLastClose()
    {
        string backing = NewDirectory("backing");
        await using var mount = await VfsMount.StartAsync("local:" + backing);
        // A writer keeps f open (fd 3) until told to stop through a FIFO outside the mount.
        string fifo = Path.Combine(_root, "go");
        Assert.Equal(0, (await Shell.RunAsync("mkfifo", [fifo])).ExitCode);
        var writer = Shell.BashAsync($"exec 3> f; echo kept >&3; read < '{fifo}'; exec 3>&-", mount.MountPoint);
        // The writer has written once its line is in the backing file (LocalVfs writes through).
        string written = Path.Combine(backing, "f");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(File.Exists(written) && File.ReadAllText(written) == "kept\n") && DateTime.UtcNow < deadline) await Task.Delay(20);

        await Shell.RunAsync("kill", ["-TERM", mount.ProcessId.ToString()]);
        await mount.WaitForOutputAsync("busy");
        Assert.Null(VfsMount.MountTypeAt(mount.MountPoint)); // detached at once
        Assert.False(mount.HasExited);                         // still serving the open file
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(backing, "f")));

        await File.WriteAllTextAsync(fifo, "stop\n");
        Assert.Equal(0, (await writer).ExitCode);
        await mount.WaitForOutputAsync("unmounted");
        Assert.Equal(0, await mount.UnmountAsync());
    }

    [Fact]
    public async Task MountDaemon_ReturnsOnceMounted_UnmountStopsIt()
    {
        string mountPoint = NewDirectory("daemon");
        int? pid = null;
        try
        {
            var started = await VfsAsync("mount", "memory:", mountPoint, "--daemon");
            Assert.True(started.ExitCode == 0, started.ToString());
            pid = int.Parse(Regex.Match(started.Stderr, @"pid (\d+)").Groups[1].Value);
            Assert.Equal(VfsMount.MountType, VfsMount.MountTypeAt(mountPoint));
            var used = await Shell.BashAsync("echo hi > f && cat f", mountPoint);
            Assert.Equal("hi\n", used.Stdout);

            var stopped = await VfsAsync("unmount", mountPoint);
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
            Assert.Null(VfsMount.MountTypeAt(mountPoint));
            using var daemon = TryGetProcess(pid.Value);
            Assert.True(daemon is null || daemon.WaitForExit(20_000), "the daemon kept running after unmount");
        }
        finally
        {
            if (VfsMount.MountTypeAt(mountPoint) is not null) await Shell.RunAsync("fusermount3", ["-uz", mountPoint]);
            if (pid is { } id && TryGetProcess(id) is { } left && !left.HasExited) left.Kill();
        }
    }

    [Fact]
    public async Task Mount_DisplayOptions_ShownOnEveryEntryAndInDf()
    {
        await using var mount = await VfsMount.StartAsync("memory:", "--uid", "1234", "--gid", "4321", "--file-mode", "600", "--dir-mode", "0700");
        var result = await mount.BashAsync("mkdir d; echo x > f; stat -c '%n %u %g %a' d f; df -T . | tail -1 | awk '{print $1, $2}'");
        Assert.Equal("d 1234 4321 700\nf 1234 4321 600\nlayeredvfs fuse.layeredvfs\n", result.Stdout);
    }

    [Fact]
    public async Task Mount_ReadOnly_WritesFailWithReadOnlyFileSystem()
    {
        await using var mount = await VfsMount.StartAsync("memory:", "--read-only");
        var result = await mount.BashAsync("echo x > f");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Read-only file system", result.Stderr);
    }

    [Fact]
    public async Task Mount_Debug_LogsEachOperationWithLatency()
    {
        await using var mount = await VfsMount.StartAsync("memory:", "--debug");
        await mount.BashAsync("echo x > f; cat f > /dev/null");
        await mount.WaitForOutputAsync(@"fuse: create /f -> ok \(\d+ us\)");
        await mount.WaitForOutputAsync(@"fuse: read ino=\d+ off=0 size=\d+ -> 2 bytes \(\d+ us\)");
    }

    private static Process? TryGetProcess(int pid)
    {
        try
        {
            return Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
