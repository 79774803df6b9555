using System.Security.Cryptography;
using System.Text;

namespace Vfs.Cli.Commands;

/// <summary>
/// The name of a mount's cache directory under the default root, one rule for `vfs mount` (StackCaching.MountId) and
/// `vfs cache stats --source`: 16 hex digits of SHA-256 over the normalized source — for s3:// the endpoint ("aws" when
/// none) and the source; for local: the full path. memory: mounts get a fresh id each time, so none can be named.
/// </summary>
public static class CacheMountId
{
    public static string Of(string source, string? endpoint = null)
    {
        source = source.Trim();
        string normalized;
        if (Vfs.S3.S3Source.IsS3(source))
            normalized = (endpoint ?? "aws").Trim().TrimEnd('/').ToLowerInvariant() + " " + source.TrimEnd('/');
        else if (source.StartsWith("local:", StringComparison.Ordinal))
            normalized = "local:" + Path.TrimEndingDirectorySeparator(Path.GetFullPath(source["local:".Length..]));
        else
            throw new CliException($"--source: only s3:// and local: sources keep a cache directory across mounts, not '{source}'", VfsCommand.UsageExitCode);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..16];
    }
}
