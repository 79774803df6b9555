namespace Vfs.Cli;

/// <summary>A user error or a refused operation: printed as one line "vfs: MESSAGE" with exit code <see cref="ExitCode"/>.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
