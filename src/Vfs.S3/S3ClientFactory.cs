using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;

namespace Vfs.S3;

/// <summary>
/// Builds the SDK client from <see cref="S3VfsOptions"/>: endpoint, region, path style, credentials from the SDK's
/// default chain (or a named profile), and the SDK's own retries off (Polly is the only retrier). For a plain-http
/// custom endpoint it also asks for checksums only when required, since S3-compatible servers ignore or mishandle
/// the newer trailing checksums; AWS_CA_BUNDLE, which concerns TLS only, plays no part for such an endpoint (the
/// .NET SDK does not read it; the system trust store serves https).
/// </summary>
public static class S3ClientFactory
{
    public static AmazonS3Config CreateConfig(S3VfsOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = 0,
            // the per-attempt timeout is Polly's; the SDK's own limit only guards against a lost cancellation
            Timeout = options.Resilience.AttemptTimeout + TimeSpan.FromSeconds(30),
        };
        if (options.Endpoint is not null)
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        if (options.IsPlainHttpEndpoint)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        return config;
    }

    /// <summary>The credentials of <see cref="S3VfsOptions.Profile"/>, or null for the SDK's default chain.</summary>
    public static AWSCredentials? ProfileCredentials(S3VfsOptions options)
    {
        if (options.Profile is null) return null;
        if (new CredentialProfileStoreChain().TryGetAWSCredentials(options.Profile, out var credentials)) return credentials;
        throw new S3SourceException($"AWS profile '{options.Profile}' not found in the shared credentials or config file");
    }

    public static IAmazonS3 Create(S3VfsOptions options, AWSCredentials? credentials = null, Action<AmazonS3Config>? configure = null)
    {
        var config = CreateConfig(options);
        configure?.Invoke(config);
        credentials ??= ProfileCredentials(options);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}
