using Vfs.Testing.Mount;
using Vfs.Testing.S3;

namespace Vfs.Cli.Tests.Commands;

/// <summary>
/// `vfs mount s3://...` run as a process against s3rver: options from the AWS environment variables, --log-file and
/// --debug without secrets in the log, and the S3 error paths (unknown bucket, unreachable endpoint, no credentials).
/// </summary>
public sealed class S3MountCommandTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-cli-s3-").FullName;

    public void Dispose()
    {
        foreach (var dir in Directory.GetDirectories(_root))
        {
            if (VfsMount.MountTypeAt(dir) is not null) Shell.RunAsync("umount", ["-l", dir]).GetAwaiter().GetResult();
        }
        Directory.Delete(_root, recursive: true);
    }

    private string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    /// <summary>Credentials and endpoint only from the environment; no ~/.aws (HOME is empty), no instance metadata.</summary>
    private string[] AwsEnvironment(bool withCredentials = true) =>
    [
        "HOME=" + NewDirectory("home"), "AWS_EC2_METADATA_DISABLED=true", "-u", "AWS_PROFILE",
        "AWS_ENDPOINT_URL_S3=" + s3.Endpoint, "AWS_REGION=" + S3rverFixture.Region,
        .. withCredentials
            ? new[] { "AWS_ACCESS_KEY_ID=" + S3rverFixture.AccessKey, "AWS_SECRET_ACCESS_KEY=" + S3rverFixture.SecretKey }
            : ["-u", "AWS_ACCESS_KEY_ID", "-u", "AWS_SECRET_ACCESS_KEY"],
    ];

    [Fact]
    public async Task Mount_OptionsFromAwsEnvironmentWithDebugLogFile_WritesObjectAndLogHoldsNoSecret()
    {
        string bucket = await s3.CreateBucketAsync();
        string mountPoint = NewDirectory("m");
        string log = Path.Combine(_root, "mount.log");
        var mount = await VfsCli.RunWithEnvironmentAsync(AwsEnvironment(), "mount", $"s3://{bucket}", mountPoint,
            "--path-style", "--daemon", "--debug", "--log-file", log);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        try
        {
            await File.WriteAllTextAsync(Path.Combine(mountPoint, "hello.txt"), "hello\n");
            Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(mountPoint, "hello.txt")));
        }
        finally
        {
            var unmount = await VfsCli.RunAsync("unmount", mountPoint);
            Assert.True(unmount.ExitCode == 0, unmount.ToString());
        }
        Assert.Equal("hello\n"u8.ToArray(), await s3.GetBytesAsync(bucket, "hello.txt"));

        string text = await File.ReadAllTextAsync(log);
        Assert.Contains("fuse: ", text); // --debug reached the file: one line per operation
        Assert.Contains("hello.txt", text);
        Assert.DoesNotContain(S3rverFixture.SecretKey, text);
    }

    [Fact]
    public async Task Mount_UnknownBucket_OneLineAndExit1()
    {
        var result = await VfsCli.RunWithEnvironmentAsync(AwsEnvironment(), "mount", "s3://no-such-bucket-here", NewDirectory("m"), "--path-style");
        VfsCli.AssertOneLineError(result, 1, "bucket 'no-such-bucket-here' does not exist");
    }

    [Fact]
    public async Task Mount_UnreachableEndpoint_OneLineAndExit1()
    {
        var result = await VfsCli.RunWithEnvironmentAsync(AwsEnvironment(), "mount", "s3://some-bucket", NewDirectory("m"),
            "--path-style", "--endpoint", "http://127.0.0.1:1", "--s3-retries", "0");
        VfsCli.AssertOneLineError(result, 1, "cannot reach S3 endpoint");
    }

    [Fact]
    public async Task Mount_NoCredentials_OneLineAndExit1()
    {
        string bucket = await s3.CreateBucketAsync();
        var result = await VfsCli.RunWithEnvironmentAsync(AwsEnvironment(withCredentials: false), "mount", $"s3://{bucket}", NewDirectory("m"), "--path-style");
        VfsCli.AssertOneLineError(result, 1, "no AWS credentials found");
    }

    [Fact]
    public async Task Mount_ProfileFromEnvironmentMissing_OneLineAndExit1()
    {
        var result = await VfsCli.RunWithEnvironmentAsync([.. AwsEnvironment(), "AWS_PROFILE=nobody"], "mount", "s3://some-bucket", NewDirectory("m"), "--path-style");
        VfsCli.AssertOneLineError(result, 1, "profile 'nobody' not found");
    }

    [Fact]
    public async Task Mount_BadLogLevel_UsageErrorExit2()
    {
        var result = await VfsCli.RunAsync("mount", "memory:", NewDirectory("m"), "--log-level", "loud");
        VfsCli.AssertOneLineError(result, 2, "--log-level: 'loud' is not a level");
    }

    [Fact]
    public async Task Mount_BadSourceNoBucket_OneLineAndExit1()
    {
        var result = await VfsCli.RunWithEnvironmentAsync(AwsEnvironment(), "mount", "s3://", NewDirectory("m"));
        VfsCli.AssertOneLineError(result, 1, "no bucket in 's3://'");
    }
}
