using System.CommandLine;
using Vfs.Cli.Sources;

namespace Vfs.Cli.Commands;

/// <summary>
/// The root command and its one error policy: parse errors, <see cref="CliException"/>s and anything unexpected
/// each become one line on standard error (exit 2 for bad usage, the exception's code otherwise).
/// </summary>
public static class VfsCommand
{
    public const int UsageExitCode = 2;

    public static RootCommand Create(SourceRegistry sources, MountLayers layers)
    {
        var root = new RootCommand("LayeredVfs: mount a store (S3, a local directory, memory) as a filesystem through FUSE.");
        root.Subcommands.Add(MountCommand.Create(sources, layers));
        root.Subcommands.Add(UnmountCommand.Create());
        root.Subcommands.Add(CacheStatsCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Create(SourceRegistry.Default, MountLayers.Default);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(ParseErrorLine.For(parse));
            return UsageExitCode;
        }
        try
        {
            // Signals are the mount's business (it unmounts cleanly); the library must not cancel or kill on its own.
            var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"vfs: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"vfs: unexpected error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
