using Vfs.Testing.Mount;
using Vfs.Testing.S3;

namespace Vfs.Cli.Tests.Install;

/// <summary>
/// The .NET tool package, as docs/INSTALL.md installs it: `dotnet pack` of src/Vfs.Cli (here of the build the tests
/// already made, so the package is made once and quickly), then `dotnet tool install --tool-path` from that folder
/// alone (a NuGet config with only the local source: works offline), then `vfs --help` from the installed tool.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-tool-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PackThenToolInstall_FromLocalFolderOnly_VfsHelpRunsFromTheTool()
    {
        string repo = S3rverFixture.RepositoryRoot();
        string packages = Path.Combine(_root, "packages");
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Name; // debug or release, as built
        var pack = await Shell.RunAsync("dotnet",
            ["pack", Path.Combine(repo, "src", "Vfs.Cli", "Vfs.Cli.csproj"), "--no-build", "-c", configuration, "-o", packages, "--nologo"],
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.True(File.Exists(Path.Combine(packages, "layeredvfs.0.1.0.nupkg")), string.Join(", ", Directory.GetFiles(packages)));

        string config = Path.Combine(_root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        string tools = Path.Combine(_root, "tools");
        var install = await Shell.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", config, "layeredvfs"],
            directory: _root, timeout: TimeSpan.FromMinutes(2));
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await Shell.RunAsync(Path.Combine(tools, "vfs"), ["--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("mount", help.Stdout);
        Assert.Contains("unmount", help.Stdout);
        Assert.Contains("cache", help.Stdout);

        var helper = Directory.GetFiles(Path.Combine(tools, ".store"), "mount.fuse.layeredvfs", SearchOption.AllDirectories);
        Assert.Single(helper); // the mount(8) helper ships inside the package, for docs/INSTALL.md to point at
    }
}
