using System.CommandLine;
using Vfs.Abstractions;

namespace Vfs.Cli.Sources;

/// <summary>
/// One kind of SOURCE for `vfs mount` (a scheme such as <c>local:</c>, <c>memory:</c> or <c>s3://</c>). A new kind is
/// one class in its own file plus one line in <see cref="SourceRegistry.Default"/>; it adds its own options.
/// </summary>
public interface IVfsSource
{
    /// <summary>How the source is written, for help and errors (e.g. "local:PATH").</summary>
    string Syntax { get; }

    /// <summary>True when <paramref name="source"/> is of this kind.</summary>
    bool Matches(string source);

    /// <summary>Adds this kind's options (e.g. --endpoint) to the mount command.</summary>
    void AddOptions(Command mount);

    /// <summary>Opens the store. Bad input (missing directory, unknown bucket) is a <see cref="CliException"/>, checked before mounting.</summary>
    ValueTask<IVfs> OpenAsync(string source, ParseResult parse, CancellationToken cancellationToken);
}
