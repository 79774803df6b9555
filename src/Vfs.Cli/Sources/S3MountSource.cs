using System.CommandLine;
using Microsoft.Extensions.Logging;
using Vfs.Abstractions;
using Vfs.Cli.Commands;
using Vfs.Cli.Mounting;
using Vfs.S3;

namespace Vfs.Cli.Sources;

/// <summary>
/// <c>s3://BUCKET[/PREFIX]</c> — a bucket or a key prefix of one (<see cref="S3Vfs"/>). The bucket is checked before
/// mounting: an unknown bucket, refused or missing credentials and an unreachable endpoint each end the command with
/// one line. Credentials come from the AWS SDK's default chain (environment, ~/.aws, instance role) or --profile.
/// </summary>
public sealed class S3MountSource : IVfsSource
{
    private static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "S3-compatible endpoint URL, e.g. http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS).",
    };

    private static readonly Option<string?> Region = new("--region") { Description = "S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, else us-east-1)." };

    private static readonly Option<bool> PathStyle = new("--path-style") { Description = "Path-style addressing (endpoint/bucket/key), for most S3-compatible servers." };

    private static readonly Option<string?> Profile = new("--profile") { Description = "AWS credentials profile (default: $AWS_PROFILE, else the SDK's default chain)." };

    private static readonly Option<int> PartSize = new("--part-size")
    {
        Description = "Multipart part size in MiB (5 to 5120); memory per writer is about part size x (upload concurrency + 1).",
        DefaultValueFactory = _ => (int)(new S3VfsOptions().PartSize / S3VfsOptions.MiB),
    };

    private static readonly Option<int> UploadConcurrency = new("--upload-concurrency")
    {
        Description = "Parts uploaded at once per file being written (1 to 64).",
        DefaultValueFactory = _ => new S3VfsOptions().UploadConcurrency,
    };

    private static readonly Option<int> Retries = new("--s3-retries")
    {
        Description = "Retries of an S3 call after throttling, 5xx, timeouts and connection failures (0 to 100).",
        DefaultValueFactory = _ => new S3ResilienceOptions().MaxRetryAttempts,
    };

    private static readonly Option<string> AttemptTimeout = new("--s3-timeout")
    {
        Description = "Timeout of one attempt of one S3 call (e.g. 60s, 500ms).",
        DefaultValueFactory = _ => "60s",
    };

    private static readonly Option<bool> NoListingMetadata = new("--no-listing-metadata")
    {
        Description = "List directories without a HEAD per entry: faster, but modes, owners and symlinks show as defaults until looked up.",
    };

    public string Syntax => "s3://BUCKET[/PREFIX]";

    public bool Matches(string source) => S3Source.IsS3(source);

    public void AddOptions(Command mount)
    {
        foreach (var option in new Option[] { Endpoint, Region, PathStyle, Profile, PartSize, UploadConcurrency, Retries, AttemptTimeout, NoListingMetadata })
            mount.Options.Add(option);
    }

    public async ValueTask<IVfs> OpenAsync(string source, ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new S3VfsOptions
        {
            Endpoint = parse.GetValue(Endpoint) ?? AwsEnvironment.Endpoint,
            Region = parse.GetValue(Region) ?? AwsEnvironment.Region,
            ForcePathStyle = parse.GetValue(PathStyle),
            Profile = parse.GetValue(Profile) ?? AwsEnvironment.Profile,
            PartSize = parse.GetValue(PartSize) * S3VfsOptions.MiB,
            UploadConcurrency = parse.GetValue(UploadConcurrency),
            ListingFetchesMetadata = !parse.GetValue(NoListingMetadata),
        };
        options.Resilience.MaxRetryAttempts = parse.GetValue(Retries);
        options.Resilience.AttemptTimeout = OptionValues.ParseDuration(parse.GetValue(AttemptTimeout)!, "--s3-timeout");
        var logger = new LineLogger(line => MountLog.Emit("vfs: " + line), MountLog.Level);
        try
        {
            return await S3Source.OpenAsync(source, options, logger, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (S3SourceException e)
        {
            throw new CliException(e.Message);
        }
    }
}
