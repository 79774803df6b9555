using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Cache.Content;
using Vfs.Cli.Sources;

namespace Vfs.Cli.Commands;

/// <summary>
/// `vfs cache stats [--cache-dir DIR | --source SOURCE] [--json]`: the content cache's counters, from a mounted or a
/// stopped cache directory. Without --cache-dir it reports every cache under the default root, or the one of SOURCE.
/// </summary>
public static class CacheStatsCommand
{
    private static readonly Option<string?> CacheDir = new("--cache-dir")
    {
        Description = "The cache directory of a mount (default: every cache under $XDG_CACHE_HOME/layeredvfs).",
    };

    private static readonly Option<string?> Source = new("--source")
    {
        Description = "Only the cache of the mount of this SOURCE (e.g. s3://bucket), under the default root.",
    };

    private static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "With --source s3://...: the --endpoint the mount was given (its cache is named by both).",
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print JSON (stable field names, see docs/CLI.md) instead of a table." };

    public static Command Create()
    {
        var stats = new Command("stats", "Show a content cache's hit ratio, size, pending uploads and evictions (mounted or stopped).");
        stats.Options.Add(CacheDir);
        stats.Options.Add(Source);
        stats.Options.Add(Endpoint);
        stats.Options.Add(Json);
        stats.SetAction(parse => Run(parse.GetValue(CacheDir), parse.GetValue(Source), parse.GetValue(Endpoint), parse.GetValue(Json)));

        var cache = new Command("cache", "Inspect the content caches of mounts.");
        cache.Subcommands.Add(stats);
        return cache;
    }

    private static int Run(string? cacheDir, string? source, string? endpoint, bool json)
    {
        if (cacheDir is not null && source is not null)
            throw new CliException("give --cache-dir or --source, not both", VfsCommand.UsageExitCode);
        var directories = Resolve(cacheDir, source, endpoint);
        var reports = directories.Select(Read).ToList();
        if (json)
        {
            Console.Out.WriteLine(CacheStatsReport.ToJson(reports));
        }
        else
        {
            Console.Out.Write(string.Join("\n", reports.Select(r => r.ToTable())));
        }
        return 0;
    }

    private static IReadOnlyList<string> Resolve(string? cacheDir, string? source, string? endpoint)
    {
        if (cacheDir is not null)
        {
            string full = Path.GetFullPath(cacheDir);
            if (!Directory.Exists(full)) throw new CliException($"cache directory {full} does not exist");
            if (!ContentCacheStatistics.IsCacheDirectory(full)) throw new CliException($"{full} is not a content cache directory (it holds no cache index)");
            return [full];
        }
        string root = ContentCacheOptions.DefaultCacheRoot();
        var all = CacheDirectories.Under(root);
        if (source is not null)
        {
            string wanted = Path.Combine(root, CacheMountId.Of(source, endpoint ?? AwsEnvironment.Endpoint));
            if (all.Contains(wanted)) return [wanted];
            throw new CliException($"no cache for {source} under {root}" + (all.Count == 0 ? "" : $" (caches there: {string.Join(", ", all.Select(Path.GetFileName))})"));
        }
        if (all.Count == 0) throw new CliException($"no content cache under {root}: mount with a cache first, or give --cache-dir");
        return all;
    }

    private static CacheStatsReport Read(string directory)
    {
        try
        {
            return new CacheStatsReport(directory, CacheDirectories.IsInUse(directory), ContentCacheStatistics.Read(directory));
        }
        catch (VfsException e)
        {
            throw new CliException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the cache in {directory}: {e.Message}");
        }
    }
}
