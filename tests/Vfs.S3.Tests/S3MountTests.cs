using System.Diagnostics;
using System.Text;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.S3.Tests;

/// <summary>
/// `vfs mount s3://… --no-cache` (S3Vfs alone under FUSE) on s3rver in a child process (never in this process: it could deadlock on its own mount), shell
/// commands through the real mount, then the bucket inspected with the raw SDK: exactly the expected keys and bytes.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class S3MountTests(S3rverFixture server, ITestOutputHelper output)
{
    private static string CliPath()
    {
        var testDir = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(testDir);
        return Path.Combine(S3rverFixture.RepositoryRoot(), "artifacts", "bin", "Vfs.Cli", configuration, "vfs.dll");
    }

    private static bool IsMounted(string mountPoint) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } fields && fields[4] == mountPoint);

    private static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("AWS_CA_BUNDLE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Mount_ShellCommandsWithoutRandomWrites_LeaveExactlyTheExpectedObjects()
    {
        var bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "data/existing.txt", Encoding.UTF8.GetBytes("was here\n"));
        var mountPoint = Directory.CreateTempSubdirectory("s3mount-").FullName;
        var credentials = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey };
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { CliPath(), "mount", $"s3://{bucket}/data", mountPoint, "--endpoint", server.Endpoint, "--path-style", "--no-cache" })
            start.ArgumentList.Add(argument);
        start.Environment.Remove("AWS_CA_BUNDLE");
        foreach (var (name, value) in credentials) start.Environment[name] = value;
        using var mount = Process.Start(start)!;
        var mountLog = new StringBuilder();
        mount.OutputDataReceived += (_, e) => { lock (mountLog) mountLog.AppendLine(e.Data); };
        mount.ErrorDataReceived += (_, e) => { lock (mountLog) mountLog.AppendLine(e.Data); };
        mount.BeginOutputReadLine();
        mount.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!IsMounted(mountPoint))
            {
                Assert.False(mount.HasExited, $"vfs mount exited early: {mountLog}");
                Assert.True(DateTime.UtcNow < deadline, $"the mount did not appear: {mountLog}");
                await Task.Delay(50);
            }

            const string script = """
                set -eu
                cd "$1"
                cat existing.txt
                mkdir -p dir/sub
                echo hello > dir/sub/hello.txt
                head -c 20971520 /dev/urandom > /tmp/s3mount-$$.bin
                cp /tmp/s3mount-$$.bin dir/big.bin
                cmp /tmp/s3mount-$$.bin dir/big.bin
                sha256sum < /tmp/s3mount-$$.bin | cut -c1-64 > dir/big.sha256
                rm /tmp/s3mount-$$.bin
                ln -s sub/hello.txt dir/link
                test "$(readlink dir/link)" = sub/hello.txt
                test "$(cat dir/link)" = hello
                chmod 600 dir/sub/hello.txt
                test "$(stat -c %a dir/sub/hello.txt)" = 600
                touch empty
                mv dir/sub/hello.txt dir/sub/renamed.txt
                mkdir gone && rmdir gone
                mv dir moved
                ls -l moved moved/sub > /dev/null
                if echo more >> existing.txt 2>/dev/null; then echo "append must be refused"; exit 1; fi
                if rmdir moved 2>/dev/null; then echo "rmdir of a non-empty directory must fail"; exit 1; fi
                test "$(ls | tr '\n' ' ')" = "empty existing.txt moved "
                echo ok
                """;
            var (exit, text) = await RunAsync("bash", ["-c", script, "bash", mountPoint], TimeSpan.FromSeconds(120));
            output.WriteLine(text);
            Assert.True(exit == 0, $"shell checks failed ({exit}): {text}\nmount log: {mountLog}");
            Assert.EndsWith("ok\n", text);
        }
        finally
        {
            if (IsMounted(mountPoint)) await RunAsync("fusermount3", ["-u", mountPoint], TimeSpan.FromSeconds(30));
            if (!mount.WaitForExit(TimeSpan.FromSeconds(30))) mount.Kill(entireProcessTree: true); // by its PID
            if (IsMounted(mountPoint)) await RunAsync("fusermount3", ["-u", "-z", mountPoint], TimeSpan.FromSeconds(30));
            Directory.Delete(mountPoint);
        }

        Assert.Equal(
            ["data/empty", "data/existing.txt", "data/moved/", "data/moved/big.bin", "data/moved/big.sha256", "data/moved/link", "data/moved/sub/", "data/moved/sub/renamed.txt"],
            await server.ListKeysAsync(bucket));
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await server.GetBytesAsync(bucket, "data/moved/sub/renamed.txt")));
        Assert.Equal("sub/hello.txt", Encoding.UTF8.GetString(await server.GetBytesAsync(bucket, "data/moved/link")));
        Assert.Equal("was here\n", Encoding.UTF8.GetString(await server.GetBytesAsync(bucket, "data/existing.txt")));
        Assert.Empty(await server.GetBytesAsync(bucket, "data/empty"));
        var big = await server.GetBytesAsync(bucket, "data/moved/big.bin");
        Assert.Equal(20 * 1024 * 1024, big.Length);
        var expectedHash = Encoding.UTF8.GetString(await server.GetBytesAsync(bucket, "data/moved/big.sha256")).Trim();
        Assert.Equal(expectedHash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(big)));
        var mode = (await server.Client.GetObjectMetadataAsync(bucket, "data/moved/sub/renamed.txt")).Metadata["x-amz-meta-mode"];
        Assert.Equal("33152", mode); // 0100600, kept across the rename
    }
}
