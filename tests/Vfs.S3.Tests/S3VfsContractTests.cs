using Vfs.Abstractions;
using Vfs.Testing.Contract;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>The contract suite over S3Vfs on s3rver, each test on a fresh bucket. Deliberate differences are overridden below with the reason.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsContractTests(S3rverFixture server) : VfsContractTests
{
    protected override async ValueTask<IVfs> CreateVfsAsync() => (await S3TestContext.CreateAsync(server)).Vfs;

    [Fact(Skip = "s3rver cannot store a 255-byte name (its own disk refuses it); S3 allows it and S3VfsInMemoryTests covers long names")]
    public override Task Names_UnicodeSpacesAndLongest_RoundTrip() => Task.CompletedTask;

    [Fact(Skip = "S3 has no inodes: a reader is pinned to the ETag it opened and answers ESTALE once the key is replaced (S3VfsMappingTests.Read_ObjectReplacedWhileOpen_IsESTALE); the content cache keeps the old bytes")]
    public override Task Handle_OfReplacedFile_KeepsOldContent() => Task.CompletedTask;
}
