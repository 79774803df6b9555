using System.Runtime.CompilerServices;
using Vfs.Testing.Mount;

namespace Vfs.Fuse.Tests.Mount;

/// <summary>
/// The shell tools a user would use, run through a real mount served by a child `vfs mount` process. Each test works
/// in its own directory under the shared mount of its class; each source (memory:, local:) runs them all.
/// </summary>
public abstract class MountShellTests(MountFixture fixture)
{
    protected VfsMount Mount => fixture.Mount;

    /// <summary>Runs <paramref name="script"/> in a fresh directory of the mount named after the test; asserts success.</summary>
    protected async Task<string> InTestDirectoryAsync(string script, [CallerMemberName] string test = "")
    {
        var result = await Mount.BashAsync($"rm -rf '{test}'; mkdir '{test}'; cd '{test}'\n{script}");
        Assert.True(result.ExitCode == 0, $"{result}\nmount output:\n{Mount.Output}");
        return result.Stdout;
    }

    [Fact]
    public virtual async Task EchoRedirect_CreateOverwriteAppend_CatShowsContent()
    {
        string output = await InTestDirectoryAsync("""
            echo text > f
            cat f
            echo more >> f
            cat f
            echo new > f
            cat f
            """);
        Assert.Equal("text\ntext\nmore\nnew\n", output);
    }

    [Fact]
    public async Task RmMkdirRmdir_Namespace_ChangesAsExpected()
    {
        string output = await InTestDirectoryAsync("""
            echo x > f
            rm f
            test ! -e f && echo removed
            mkdir -p d/e
            echo y > d/e/g
            rmdir d 2>&1 || true
            rm d/e/g
            rmdir d/e d
            ls -A
            echo end
            """);
        Assert.Equal("removed\nrmdir: failed to remove 'd': Directory not empty\nend\n", output);
    }

    [Fact]
    public async Task CpAndMv_FilesAndDirectories_MoveWithContent()
    {
        string output = await InTestDirectoryAsync("""
            mkdir a b
            echo one > a/f
            cp a/f a/copy
            mv a/f b/f
            echo two > b/existing
            mv a/copy b/existing
            mkdir -p a/tree/sub
            echo deep > a/tree/sub/leaf
            mv a/tree b/tree
            cat b/f b/existing b/tree/sub/leaf
            find . | sort
            """);
        Assert.Equal("one\none\ndeep\n.\n./a\n./b\n./b/existing\n./b/f\n./b/tree\n./b/tree/sub\n./b/tree/sub/leaf\n", output);
    }

    [Fact]
    public async Task LsAndStat_File_ShowSizeModeAndType()
    {
        string output = await InTestDirectoryAsync("""
            printf 'hello' > f
            mkdir d
            chmod 640 f
            stat -c '%n %s %a %F' f d
            ls -l f | cut -d' ' -f1,5
            """);
        Assert.Equal("f 5 640 regular file\nd 0 755 directory\n-rw-r----- 5\n", output);
    }

    [Fact]
    public virtual async Task Truncate_ShrinkAndGrow_SizeAndZeros()
    {
        string output = await InTestDirectoryAsync("""
            printf 'abcdef' > f
            truncate -s 3 f
            cat f; echo
            truncate -s 6 f
            stat -c %s f
            od -An -c f | tr -s ' '
            """);
        Assert.Equal("abc\n6\n a b c \\0 \\0 \\0\n", output);
    }

    [Fact]
    public async Task ChmodAndTouch_SetModeAndTimes_StatShowsThem()
    {
        string output = await InTestDirectoryAsync("""
            echo x > f
            chmod 600 f
            touch -d '2001-02-03 04:05:06 UTC' f
            stat -c '%a %Y' f
            date -u -d '2001-02-03 04:05:06' +%s
            touch -m f
            test "$(stat -c %Y f)" -gt 981173106 && echo now
            """);
        Assert.Equal("600 981173106\n981173106\nnow\n", output);
    }

    [Fact]
    public async Task LnS_Symlink_ReadlinkAndFollow()
    {
        string output = await InTestDirectoryAsync("""
            mkdir d
            echo target-content > d/t
            ln -s d/t link
            readlink link
            cat link
            stat -c %F link
            ln d/t hard 2>&1 | sed 's/.*: //' || true
            """);
        Assert.Equal("d/t\ntarget-content\nsymbolic link\nOperation not permitted\n", output);
    }

    [Fact]
    public async Task FindAndDu_Tree_ListsAndCountsSizes()
    {
        string output = await InTestDirectoryAsync("""
            mkdir -p x/y
            head -c 10000 /dev/zero > x/a
            head -c 5000 /dev/zero > x/y/b
            find . -type f | sort
            du -b x/a x/y/b | cut -f1
            du -sk x | cut -f1
            """);
        Assert.Equal("./x/a\n./x/y/b\n10000\n5000\n15\n", output);
    }

    [Fact]
    public async Task TarExtract_RealTree_DiffShowsNoDifference()
    {
        string tree = RepositoryTree();
        string tarball = Path.Combine(Path.GetTempPath(), $"vfs-tree-{Guid.NewGuid():N}.tar");
        try
        {
            var made = await Shell.BashAsync($"tar -cf '{tarball}' -C '{Path.GetDirectoryName(tree)}' '{Path.GetFileName(tree)}'", Path.GetTempPath());
            Assert.True(made.ExitCode == 0, made.ToString());
            string output = await InTestDirectoryAsync($"""
                tar -xf '{tarball}'
                diff -r '{tree}' '{Path.GetFileName(tree)}' && echo same
                test "$(find '{Path.GetFileName(tree)}' | wc -l)" -gt 10 && echo many
                """);
            Assert.Equal("same\nmany\n", output);
        }
        finally
        {
            File.Delete(tarball);
        }
    }

    [Fact]
    public async Task TwoReaders_OneFileAtOnce_BothSeeSameBytes()
    {
        string output = await InTestDirectoryAsync($"""
            {Generator}
            gen readers 67108864 > f
            want=$(sha256sum < f)
            sha256sum < f > r1 & sha256sum < f > r2 & wait
            test "$(cat r1)" = "$want" && test "$(cat r2)" = "$want" && echo same
            """);
        Assert.Equal("same\n", output);
    }

    [Fact]
    public async Task TwoWriters_DifferentFilesAtOnce_EachKeepsItsBytes()
    {
        string output = await InTestDirectoryAsync($"""
            {Generator}
            gen a 33554432 | dd of=a bs=1M iflag=fullblock status=none & gen b 33554432 | dd of=b bs=1M iflag=fullblock status=none & wait
            test "$(sha256sum < a)" = "$(gen a 33554432 | sha256sum)" && echo a-ok
            test "$(sha256sum < b)" = "$(gen b 33554432 | sha256sum)" && echo b-ok
            """);
        Assert.Equal("a-ok\nb-ok\n", output);
    }

    /// <summary>
    /// gen SEED BYTES: fast deterministic pseudo-random bytes (AES-CTR keystream); openssl's SIGPIPE when head stops
    /// reading stays out of the pipeline (process substitution), so pipefail does not see it.
    /// </summary>
    protected const string Generator = "gen() { head -c \"$2\" < <(openssl enc -aes-128-ctr -pass \"pass:$1\" -nosalt -pbkdf2 < /dev/zero 2>/dev/null); }";

    /// <summary>The repository's src/ directory: a real tree of files and folders to copy through the mount.</summary>
    private static string RepositoryTree()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LayeredVfs.sln"))) return Path.Combine(dir.FullName, "src");
        }
        throw new DirectoryNotFoundException("LayeredVfs.sln not found above the test assembly");
    }
}

public sealed class MemoryMountShellTests(MemoryMountFixture fixture) : MountShellTests(fixture), IClassFixture<MemoryMountFixture>;

public sealed class LocalMountShellTests(LocalMountFixture fixture) : MountShellTests(fixture), IClassFixture<LocalMountFixture>
{
    [Fact]
    public async Task Write_ThroughMount_LandsInBackingDirectory()
    {
        await InTestDirectoryAsync("mkdir sub; echo through > sub/f");
        Assert.Equal("through\n", File.ReadAllText(Path.Combine(fixture.BackingDirectory!, nameof(Write_ThroughMount_LandsInBackingDirectory), "sub", "f")));
    }

    [Fact]
    public async Task LargeFile_OneGiBWrittenWithDd_ReadsBackWithSameSha256()
    {
        string output = await InTestDirectoryAsync($"""
            {Generator}
            gen big 1073741824 | dd of=big bs=1M iflag=fullblock status=none
            want=$(gen big 1073741824 | sha256sum)
            stat -c %s big
            test "$(sha256sum < big)" = "$want" && echo same
            rm big
            """);
        Assert.Equal("1073741824\nsame\n", output);
    }
}

/// <summary>
/// The S3 store alone (no content cache) writes whole objects sequentially: append and truncate are refused with
/// ENOTSUP ("Operation not supported"), never silently wrong; everything else passes as on a POSIX store.
/// </summary>
public sealed class S3MountShellTests(S3MountFixture fixture) : MountShellTests(fixture), IClassFixture<S3MountFixture>
{
    [Fact]
    public override async Task EchoRedirect_CreateOverwriteAppend_CatShowsContent()
    {
        string output = await InTestDirectoryAsync("""
            echo text > f
            cat f
            echo more >> f 2>/dev/null || echo refused
            echo new > f
            cat f
            """);
        Assert.Equal("text\nrefused\nnew\n", output);
    }

    [Fact]
    public override async Task Truncate_ShrinkAndGrow_SizeAndZeros()
    {
        string output = await InTestDirectoryAsync("""
            printf 'abcdef' > f
            truncate -s 3 f 2>&1 | sed 's/.*: //' || true
            cat f; echo
            """);
        Assert.Equal("Operation not supported\nabcdef\n", output);
    }
}
