using Vfs.Testing.Mount;

namespace Vfs.Cli.Tests.Install;

/// <summary>
/// scripts/mount.fuse.layeredvfs under a real mount(8): `mount -t fuse.layeredvfs` (mount.fuse3 runs the program named
/// after the subtype from /bin/sh's default PATH) and an fstab line (mount -T FILE). Each runs in its own mount
/// namespace where a temp directory is bound over /usr/local/bin, so nothing is installed on the machine and the
/// mount vanishes with the namespace; the script unmounts on every exit path anyway.
/// </summary>
public sealed class MountHelperTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-helper-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs <paramref name="mountCommand"/> in a private mount namespace with the helper installed as `layeredvfs`.</summary>
    private async Task<ShellResult> RunInNamespaceAsync(string mountCommand, string mountPoint)
    {
        string bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "mount.fuse.layeredvfs"), Path.Combine(bin, "layeredvfs"));
        File.WriteAllText(Path.Combine(bin, "vfs"), $"#!/bin/sh\nexec dotnet '{VfsMount.CliPath}' \"$@\"\n");
        string script = $"""
            set -eu
            chmod 755 '{bin}/layeredvfs' '{bin}/vfs'
            mount --bind '{bin}' /usr/local/bin
            trap 'mountpoint -q "{mountPoint}" && umount -l "{mountPoint}"; true' EXIT
            {mountCommand}
            findmnt -n -o FSTYPE '{mountPoint}'
            mkdir '{mountPoint}/d'
            echo hello > '{mountPoint}/d/f'
            cat '{mountPoint}/d/f'
            stat -c '%u %a' '{mountPoint}/d'
            vfs unmount '{mountPoint}'
            mountpoint -q '{mountPoint}' && echo still-mounted || echo unmounted
            """;
        return await Shell.RunAsync("env", ["-u", "AWS_CA_BUNDLE", "unshare", "-m", "--propagation", "private", "sh", "-c", script], timeout: TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task MountTypeFuseLayeredvfs_MemorySource_MountsWithTranslatedOptionsAndUnmounts()
    {
        string mountPoint = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = await RunInNamespaceAsync($"mount -t fuse.layeredvfs memory: '{mountPoint}' -o _netdev,uid=4321,dir_mode=750", mountPoint);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("fuse.layeredvfs\nhello\n4321 750\nunmounted\n", result.Stdout);
    }

    [Fact]
    public async Task FstabLine_MemorySource_MountByMountPointOnly()
    {
        string mountPoint = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        string fstab = Path.Combine(_root, "fstab");
        File.WriteAllText(fstab, $"memory: {mountPoint} fuse.layeredvfs _netdev,nofail,uid=4321,dir_mode=700 0 0\n");
        var result = await RunInNamespaceAsync($"mount -T '{fstab}' '{mountPoint}'", mountPoint);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("fuse.layeredvfs\nhello\n4321 700\nunmounted\n", result.Stdout);
    }

    [Fact]
    public async Task MountTypeFuseLayeredvfs_UnknownOption_OneLineFromVfsAndNonZeroExit()
    {
        string mountPoint = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = await RunInNamespaceAsync($"mount -t fuse.layeredvfs memory: '{mountPoint}' -o no_such_thing", mountPoint);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("vfs: Unrecognized command or argument '--no-such-thing'", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
