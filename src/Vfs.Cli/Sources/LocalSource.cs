using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Abstractions.Local;
using Vfs.Cli.Commands;

namespace Vfs.Cli.Sources;

/// <summary><c>local:PATH</c> — a directory of this machine, served through the stack (for tests and benchmarks).</summary>
public sealed class LocalSource : IVfsSource
{
    private const string Prefix = "local:";

    public string Syntax => "local:PATH";

    public bool Matches(string source) => source.StartsWith(Prefix, StringComparison.Ordinal);

    public void AddOptions(Command mount)
    {
    }

    public ValueTask<IVfs> OpenAsync(string source, ParseResult parse, CancellationToken cancellationToken)
    {
        string path = source[Prefix.Length..];
        if (path.Length == 0) throw new CliException("local: needs a directory, e.g. local:/srv/data", VfsCommand.UsageExitCode);
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new CliException(File.Exists(full) ? $"source {full} is not a directory" : $"source directory {full} does not exist");
        return ValueTask.FromResult<IVfs>(new LocalVfs(full));
    }
}
