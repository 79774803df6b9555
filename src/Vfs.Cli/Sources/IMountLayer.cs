using System.CommandLine;
using Vfs.Abstractions;

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
}

/// <summary>The layers of a mount, from the store upwards (content cache before metadata cache).</summary>
public sealed class MountLayers(IReadOnlyList<IMountLayer> layers)
{
    public static MountLayers Default => new([]);

    public IReadOnlyList<IMountLayer> Layers { get; } = layers;

    public async ValueTask<IVfs> ComposeAsync(IVfs store, ParseResult parse, CancellationToken cancellationToken)
    {
        var top = store;
        foreach (var layer in Layers) top = await layer.WrapAsync(top, parse, cancellationToken).ConfigureAwait(false);
        return top;
    }
}
