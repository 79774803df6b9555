using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using Vfs.Cli.Commands;
using Vfs.Cli.Mounting;
using Vfs.Fuse;

namespace Vfs.Cli.Sources;

/// <summary>
/// The metadata cache (<see cref="MetadataCacheVfs"/>) on top of the stack, under the FUSE adapter, when
/// <see cref="StackCaching.IsOn"/>. The kernel's entry and attribute timeouts are capped at its TTL (0 when it is 0),
/// and the adapter is told of every change the cache learns from the store (<see cref="KernelChangeNotifier"/>).
/// </summary>
public sealed class MetadataCacheLayer : IMountLayer
{
    private static readonly Option<string> MetadataTtl = new("--metadata-ttl")
    {
        Description = "How long attributes and listings are trusted before the store is asked again; other writers' changes show within it (e.g. 0, 1s, 10s, 1m; 0 asks every time).",
        DefaultValueFactory = _ => "10s",
    };

    private MetadataCacheVfs? _cache;

    public void AddOptions(Command mount) => mount.Options.Add(MetadataTtl);

    public ValueTask<IVfs> WrapAsync(IVfs inner, ParseResult parse, CancellationToken cancellationToken)
    {
        var ttl = OptionValues.ParseDuration(parse.GetValue(MetadataTtl)!, "--metadata-ttl");
        if (!StackCaching.IsOn(parse)) return ValueTask.FromResult(inner);
        _cache = new MetadataCacheVfs(inner, new MetadataCacheOptions { Ttl = ttl });
        return ValueTask.FromResult<IVfs>(_cache);
    }

    public FuseMountOptions AdjustMountOptions(FuseMountOptions options)
    {
        if (_cache is null) return options;
        var ttl = _cache.Options.Ttl;
        return options with
        {
            EntryTimeout = options.EntryTimeout < ttl ? options.EntryTimeout : ttl,
            AttrTimeout = options.AttrTimeout < ttl ? options.AttrTimeout : ttl,
        };
    }

    public IDisposable? Attach(FuseMount mount, FuseMountOptions options) =>
        _cache is null ? null : new KernelChangeNotifier(_cache, new FuseKernelInvalidation(mount), options.Debug ? options.Log : null);
}
