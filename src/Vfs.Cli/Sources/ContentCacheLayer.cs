using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Cache.Content;
using Vfs.Cli.Commands;
using Vfs.Cli.Mounting;

namespace Vfs.Cli.Sources;

/// <summary>
/// The write-back content cache (<see cref="ContentCacheVfs"/>) right above the store, when
/// <see cref="StackCaching.IsOn"/>. Its cache directory is locked: a second mount of the same source (same default
/// directory) is refused with one line. At unmount (and SIGTERM) the stack's disposal drains every pending upload,
/// with progress on standard error (<see cref="DrainProgressPrinter"/>).
/// </summary>
public sealed class ContentCacheLayer : IMountLayer
{
    private static readonly Option<string?> CacheDir = new("--cache-dir")
    {
        Description = "Cache directory (default: $XDG_CACHE_HOME/layeredvfs/<id of the source>, so a remount finds what a killed mount left to upload).",
    };

    private static readonly Option<string> CacheSize = new("--cache-size")
    {
        Description = "Cached bytes above which clean files are evicted, e.g. 512M, 10G (dirty data is never evicted).",
        DefaultValueFactory = _ => "10G",
    };

    private static readonly Option<string> WriteBackDelay = new("--write-back-delay")
    {
        Description = "How long a file must stay quiet after close before it is uploaded (e.g. 0, 5s, 1m; at most 1h; 0 uploads at close).",
        DefaultValueFactory = _ => "5s",
    };

    private static readonly Option<string> BlockSize = new("--block-size")
    {
        Description = "Unit of fetches from the store: a power of two from 64K to 64M.",
        DefaultValueFactory = _ => "1M",
    };

    /// <summary>The cache directory of the last mount composed (for the unmount command's state file).</summary>
    public string? CacheDirectory { get; private set; }

    public void AddOptions(Command mount)
    {
        StackCaching.AddOptions(mount);
        foreach (var option in new Option[] { CacheDir, CacheSize, WriteBackDelay, BlockSize }) mount.Options.Add(option);
    }

    public ValueTask<IVfs> WrapAsync(IVfs inner, ParseResult parse, CancellationToken cancellationToken)
    {
        if (!StackCaching.IsOn(parse)) return ValueTask.FromResult(inner);
        var options = ReadOptions(parse);
        try
        {
            options.Validate();
        }
        catch (VfsException e)
        {
            throw new CliException(e.Message, VfsCommand.UsageExitCode);
        }
        try
        {
            var cache = new ContentCacheVfs(inner, options);
            CacheDirectory = cache.CacheDirectory;
            return ValueTask.FromResult<IVfs>(cache);
        }
        catch (VfsException e) when (e.Errno == Errno.EBUSY)
        {
            throw new CliException($"cache directory {options.CacheDirectory} is in use by another mount (unmount it, or give another --cache-dir)");
        }
        catch (VfsException e)
        {
            throw new CliException($"cache directory {options.CacheDirectory} cannot be used: {e.Message}");
        }
    }

    private static ContentCacheOptions ReadOptions(ParseResult parse)
    {
        long blockSize = SizeValues.Parse(parse.GetValue(BlockSize)!, "--block-size", 1);
        if (blockSize is < ContentCacheOptions.MinBlockSize or > ContentCacheOptions.MaxBlockSize || (blockSize & (blockSize - 1)) != 0)
            throw new CliException($"--block-size: '{parse.GetValue(BlockSize)}' must be a power of two from 64K to 64M", VfsCommand.UsageExitCode);
        var delay = OptionValues.ParseDuration(parse.GetValue(WriteBackDelay)!, "--write-back-delay");
        if (delay > TimeSpan.FromHours(1))
            throw new CliException($"--write-back-delay: '{parse.GetValue(WriteBackDelay)}' is longer than 1h", VfsCommand.UsageExitCode);
        string directory = parse.GetValue(CacheDir) is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : Path.Combine(ContentCacheOptions.DefaultCacheRoot(), StackCaching.MountId(parse));
        return new ContentCacheOptions
        {
            CacheDirectory = directory,
            CacheSizeBytes = SizeValues.Parse(parse.GetValue(CacheSize)!, "--cache-size", blockSize),
            WriteBackDelay = delay,
            BlockSize = (int)blockSize,
            DrainProgress = new DrainProgressPrinter(line => Console.Error.WriteLine(line)),
            Warning = line => Console.Error.WriteLine("vfs: " + line),
        };
    }
}
