using Vfs.Testing.Mount;

namespace Vfs.Fuse.Tests.Mount;

/// <summary>
/// Every page of a listing carries attributes (readdirplus, not the kernel's READDIRPLUS_AUTO, which sends them with
/// the first page only): a stat of each listed name then needs no LOOKUP while the entry timeout lasts.
/// </summary>
public sealed class MountReadDirPlusTests
{
    [Fact]
    public async Task ListThenStat_ManyPagesOfNames_NoLookupReachesTheAdapter()
    {
        string backing = Directory.CreateTempSubdirectory("vfs-rdplus-").FullName;
        try
        {
            // Made beside the mount, so the kernel knows none of the names before the listing. 1500 names fill many
            // readdir pages; long timeouts keep a slow machine from expiring an entry between the listing and its stat.
            Directory.CreateDirectory(Path.Combine(backing, "d"));
            for (int i = 0; i < 1500; i++) await File.WriteAllTextAsync(Path.Combine(backing, "d", $"f{i}"), "x");
            await using var mount = await VfsMount.StartAsync($"local:{backing}", "--debug", "--entry-timeout", "60s", "--attr-timeout", "60s");

            var result = await mount.BashAsync("stat -c %s d/* | sort -u; stat end-marker 2>/dev/null; true");

            Assert.Equal("1\n", result.Stdout);
            await mount.WaitForOutputAsync("lookup /end-marker -> ENOENT");
            Assert.DoesNotContain("lookup /d/f", mount.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(backing, recursive: true);
        }
    }
}
