using Vfs.Testing.Mount;
using Vfs.Testing.S3;

namespace Vfs.Cli.Tests.Install;

/// <summary>
/// The README's quick start from a clean clone of the current commit (scripts/quickstart-check.sh): ./vfs builds
/// itself, mounts memory: in the background, the mount is used, ./vfs unmount ends it. About a minute: one Release build.
/// </summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task QuickStart_CleanClone_DocumentedCommandsWork()
    {
        string script = Path.Combine(S3rverFixture.RepositoryRoot(), "scripts", "quickstart-check.sh");
        var result = await Shell.RunAsync("env", ["-u", "AWS_CA_BUNDLE", script], timeout: TimeSpan.FromMinutes(4));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("quick start: ok\n", result.Stdout);
    }
}
