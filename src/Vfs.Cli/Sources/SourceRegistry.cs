using Vfs.Cli.Commands;

namespace Vfs.Cli.Sources;

/// <summary>The kinds of SOURCE `vfs mount` knows, tried in order.</summary>
public sealed class SourceRegistry(IReadOnlyList<IVfsSource> sources)
{
    public static SourceRegistry Default => new([new LocalSource(), new MemorySource(), new S3MountSource()]);

    public IReadOnlyList<IVfsSource> Sources { get; } = sources;

    public IVfsSource Find(string source) =>
        Sources.FirstOrDefault(s => s.Matches(source))
        ?? throw new CliException($"unknown source '{source}': expected {string.Join(", ", Sources.Select(s => s.Syntax))}", VfsCommand.UsageExitCode);
}
