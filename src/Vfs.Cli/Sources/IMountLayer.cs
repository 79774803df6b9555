using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Fuse;

namespace Vfs.Cli.Sources;

/// <summary>
/// A layer the mount command puts between the store and the FUSE adapter (the caches). Each adds its own options
/// and wraps the stack below it; the stack is composed here and only here.
/// </summary>
public interface IMountLayer
{
    void AddOptions(Command mount);

    /// <summary>Wraps <paramref name="inner"/>; may return it unchanged when the layer is switched off.</summary>
    ValueTask<IVfs> WrapAsync(IVfs inner, ParseResult parse, CancellationToken cancellationToken);

    /// <summary>The adapter's options as this layer needs them (the metadata cache caps the kernel's timeouts at its TTL).</summary>
    FuseMountOptions AdjustMountOptions(FuseMountOptions options) => options;

    /// <summary>Called once the stack is mounted; what it returns is disposed when the mount ends, before the stack.</summary>
    IDisposable? Attach(FuseMount mount, FuseMountOptions options) => null;
}

/// <summary>The layers of a mount, from the store upwards (content cache before metadata cache).</summary>
public sealed class MountLayers(IReadOnlyList<IMountLayer> layers)
{
    public static MountLayers Default => new([new ContentCacheLayer(), new MetadataCacheLayer()]);

    public IReadOnlyList<IMountLayer> Layers { get; } = layers;

    public async ValueTask<IVfs> ComposeAsync(IVfs store, ParseResult parse, CancellationToken cancellationToken)
    {
        var top = store;
        foreach (var layer in Layers) top = await layer.WrapAsync(top, parse, cancellationToken).ConfigureAwait(false);
        return top;
    }

    public FuseMountOptions AdjustMountOptions(FuseMountOptions options) =>
        Layers.Aggregate(options, (current, layer) => layer.AdjustMountOptions(current));

    /// <summary>Attaches every layer to <paramref name="mount"/>; disposing the result detaches them, top layer first.</summary>
    public IDisposable Attach(FuseMount mount, FuseMountOptions options)
    {
        var attached = Layers.Select(layer => layer.Attach(mount, options)).OfType<IDisposable>().Reverse().ToList();
        return new Detach(attached);
    }

    private sealed class Detach(List<IDisposable> attached) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in attached) item.Dispose();
        }
    }
}
