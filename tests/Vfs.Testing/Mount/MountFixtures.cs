using Xunit;

namespace Vfs.Testing.Mount;

/// <summary>An xunit class fixture holding one child-process mount for a test class; always unmounted at the end.</summary>
public abstract class MountFixture : IAsyncLifetime
{
    private VfsMount? _mount;

    public VfsMount Mount => _mount ?? throw new InvalidOperationException("not mounted");

    /// <summary>The directory behind a local: mount (null for memory:), to compare with what the mount shows.</summary>
    public string? BackingDirectory { get; protected set; }

    protected abstract string Source { get; }

    public virtual async Task InitializeAsync() => _mount = await VfsMount.StartAsync(Source).ConfigureAwait(false);

    protected void SetMount(VfsMount mount) => _mount = mount;

    public virtual async Task DisposeAsync()
    {
        if (_mount is not null) await _mount.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>`vfs mount memory: MNT`.</summary>
public sealed class MemoryMountFixture : MountFixture
{
    protected override string Source => "memory:";
}

/// <summary>`vfs mount local:DIR MNT` over a fresh temp directory, deleted afterwards.</summary>
public sealed class LocalMountFixture : MountFixture
{
    public LocalMountFixture() => BackingDirectory = Directory.CreateTempSubdirectory("vfs-backing-").FullName;

    protected override string Source => "local:" + BackingDirectory;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(BackingDirectory!, recursive: true);
    }
}

/// <summary>`vfs mount s3://BUCKET MNT --no-cache` (S3Vfs without the caches) on a fresh bucket of a local s3rver (started and stopped by this fixture).</summary>
public sealed class S3MountFixture : MountFixture
{
    private readonly Vfs.Testing.S3.S3rverFixture _server = new();
    private string _bucket = "";

    protected override string Source => $"s3://{_bucket}";

    public override async Task InitializeAsync()
    {
        await _server.InitializeAsync().ConfigureAwait(false);
        _bucket = await _server.CreateBucketAsync().ConfigureAwait(false);
        var credentials = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = Vfs.Testing.S3.S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = Vfs.Testing.S3.S3rverFixture.SecretKey,
        };
        SetMount(await VfsMount.StartAsync(Source, credentials, "--endpoint", _server.Endpoint, "--path-style", "--region", Vfs.Testing.S3.S3rverFixture.Region,
            "--no-cache").ConfigureAwait(false)); // S3Vfs alone under FUSE; the cached stack is tested in Vfs.Fuse.Tests/Stack
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
