using System.CommandLine;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;

namespace Vfs.Cli.Sources;

/// <summary><c>memory:</c> — an empty filesystem in memory, gone at unmount (for trying things and for tests).</summary>
public sealed class MemorySource : IVfsSource
{
    public string Syntax => "memory:";

    public bool Matches(string source) => source == "memory:";

    public void AddOptions(Command mount)
    {
    }

    public ValueTask<IVfs> OpenAsync(string source, ParseResult parse, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IVfs>(new MemoryVfs());
}
