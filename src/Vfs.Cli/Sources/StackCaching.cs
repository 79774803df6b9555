using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Vfs.Cli.Commands;

namespace Vfs.Cli.Sources;

/// <summary>
/// Whether a mount gets the caches, and which cache directory is its own. s3:// sources get both caches unless
/// --no-cache; local: and memory: get them only with --cache (they are local already; the flag is for trying and
/// testing the stack). The mount id is a hash of the normalized source (and the S3 endpoint), so a remount of the
/// same source finds the dirty objects a killed mount left behind.
/// </summary>
public static class StackCaching
{
    public static readonly Option<bool> NoCache = new("--no-cache")
    {
        Description = "s3:// without the caches: no local copies, no write-back; only sequential whole-file writes work.",
    };

    public static readonly Option<bool> Cache = new("--cache")
    {
        Description = "Put the metadata and content caches in front of a local: or memory: source too (s3:// has them by default).",
    };

    /// <summary>Adds --cache and --no-cache (once, by the content cache layer).</summary>
    public static void AddOptions(Command mount)
    {
        mount.Options.Add(NoCache);
        mount.Options.Add(Cache);
    }

    public static bool IsOn(ParseResult parse)
    {
        bool s3 = Vfs.S3.S3Source.IsS3(SourceOf(parse));
        bool on = parse.GetValue(Cache), off = parse.GetValue(NoCache);
        if (on && off) throw new CliException("--cache and --no-cache contradict each other", VfsCommand.UsageExitCode);
        return s3 ? !off : on;
    }

    /// <summary>The SOURCE argument as typed.</summary>
    public static string SourceOf(ParseResult parse) => parse.GetValue<string>("SOURCE") ?? "";

    /// <summary>
    /// 16 hex digits naming the source (<see cref="CacheMountId"/>, shared with `vfs cache stats --source`): the
    /// endpoint as the mount resolves it (option, then environment) so a mount configured by AWS_ENDPOINT_URL_S3 finds
    /// its own cache again. memory: is gone at unmount, so nothing dirty can outlive it: each mount gets a fresh id.
    /// </summary>
    public static string MountId(ParseResult parse)
    {
        string source = SourceOf(parse).Trim();
        if (Vfs.S3.S3Source.IsS3(source) || source.StartsWith("local:", StringComparison.Ordinal))
            return CacheMountId.Of(source, parse.GetValue<string?>("--endpoint") ?? AwsEnvironment.Endpoint);
        string unique = source + " " + Environment.ProcessId + " " + DateTime.UtcNow.Ticks;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(unique)))[..16];
    }
}
