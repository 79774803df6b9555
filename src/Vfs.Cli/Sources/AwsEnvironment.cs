namespace Vfs.Cli.Sources;

/// <summary>
/// The AWS CLI's environment variables that stand in for an S3 option left out, as users of the AWS tools expect.
/// The option on the command line always wins. Credentials themselves stay with the SDK's default chain.
/// </summary>
public static class AwsEnvironment
{
    /// <summary>AWS_ENDPOINT_URL_S3 (the S3-specific one), else AWS_ENDPOINT_URL.</summary>
    public static string? Endpoint => First("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");

    /// <summary>AWS_REGION, else AWS_DEFAULT_REGION.</summary>
    public static string? Region => First("AWS_REGION", "AWS_DEFAULT_REGION");

    /// <summary>AWS_PROFILE: named explicitly so a missing profile is one clear error, not a silent fall-through.</summary>
    public static string? Profile => First("AWS_PROFILE");

    private static string? First(params string[] names) =>
        names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
