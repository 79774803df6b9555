using Vfs.Testing.Mount;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.Fuse.Tests.Mount;

/// <summary>
/// A FUSE interrupt cancels the store call: an s3:// mount whose server is stopped (SIGSTOP) leaves a request
/// waiting on the network; the caller's signal makes the kernel send INTERRUPT, the adapter cancels the call's
/// token and answers EINTR instead of waiting for the server.
/// </summary>
public sealed class MountInterruptTests(S3rverFixture server, ITestOutputHelper output) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Interrupt_StoreCallStalled_CancelledAndAnsweredEintr()
    {
        string bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "f", new byte[1 << 20]);
        var credentials = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
        };
        await using var mount = await VfsMount.StartAsync($"s3://{bucket}", credentials,
            "--endpoint", server.Endpoint, "--path-style", "--region", S3rverFixture.Region, "--debug", "--attr-timeout", "0", "--entry-timeout", "0");
        Assert.Equal("1048576\n", (await mount.BashAsync("stat -c %s f")).Stdout);

        var stopped = await Shell.RunAsync("kill", ["-STOP", server.ProcessId.ToString()]);
        Assert.Equal(0, stopped.ExitCode);
        try
        {
            // cat blocks in open or read on the stalled server; SIGINT after 2 s interrupts it.
            var cat = await mount.BashAsync("timeout -s INT 2 cat f > /dev/null || echo status=$?", TimeSpan.FromSeconds(60));
            Assert.Contains("status=", cat.Stdout);
            string log = await mount.WaitForOutputAsync(@"fuse: (lookup|getattr|open|read) .*-> EINTR", TimeSpan.FromSeconds(30));
            foreach (var line in log.Split('\n').Where(l => l.Contains("EINTR"))) output.WriteLine(line);
        }
        finally
        {
            await Shell.RunAsync("kill", ["-CONT", server.ProcessId.ToString()]);
        }
        Assert.Equal("1048576\n", (await mount.BashAsync("stat -c %s f")).Stdout);
    }
}
