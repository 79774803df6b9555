using System.Diagnostics;
using System.Text;

namespace Vfs.Testing.Mount;

/// <summary>
/// A real FUSE mount served by the CLI in a CHILD process (`dotnet vfs.dll mount SOURCE MNT ...`), never by the test
/// process itself: a process touching its own mount can deadlock. The test project references Vfs.Cli so that
/// vfs.dll sits beside the test assembly.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="StartAsync"/> makes a fresh mount point under the temp directory, starts the child and
/// waits until /proc/self/mountinfo shows the mount and it answers; if the child dies first, its output is in the
/// exception. <see cref="DisposeAsync"/> ALWAYS cleans up, whatever happened: fusermount3 -u (lazily if busy), wait for
/// the child to exit, kill it by PID if it does not, then remove the mount point.
/// </remarks>
public sealed class VfsMount : IAsyncDisposable
{
    public const string MountType = "fuse.layeredvfs";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _root;
    private bool _disposed;

    private VfsMount(Process process, string root, string mountPoint, string source)
    {
        _process = process;
        _root = root;
        MountPoint = mountPoint;
        Source = source;
    }

    public string MountPoint { get; }

    public string Source { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the child wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>vfs.dll beside the calling test assembly.</summary>
    public static string CliPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "vfs.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("vfs.dll is not beside the tests: reference src/Vfs.Cli", path);
        }
    }

    /// <summary>Mounts <paramref name="source"/> (e.g. "memory:" or "local:/dir") on a new temp directory.</summary>
    public static Task<VfsMount> StartAsync(string source, params string[] options)
    {
        string root = Directory.CreateTempSubdirectory("vfs-mount-").FullName;
        string mountPoint = Path.Combine(root, "mnt");
        Directory.CreateDirectory(mountPoint);
        return StartAtAsync(source, root, mountPoint, options);
    }

    /// <summary>Mounts at an existing <paramref name="mountPoint"/>; <paramref name="root"/> is removed at the end.</summary>
    public static Task<VfsMount> StartAtAsync(string source, string root, string mountPoint, params string[] options) =>
        StartAtAsync(source, root, mountPoint, new Dictionary<string, string?>(), options);

    /// <summary>Mounts on a new temp directory with extra environment variables for the child (e.g. S3 credentials).</summary>
    public static Task<VfsMount> StartAsync(string source, IReadOnlyDictionary<string, string?> environment, params string[] options)
    {
        string root = Directory.CreateTempSubdirectory("vfs-mount-").FullName;
        string mountPoint = Path.Combine(root, "mnt");
        Directory.CreateDirectory(mountPoint);
        return StartAtAsync(source, root, mountPoint, environment, options);
    }

    private static async Task<VfsMount> StartAtAsync(
        string source, string root, string mountPoint, IReadOnlyDictionary<string, string?> environment, string[] options)
    {
        var start = Shell.StartInfo("dotnet", [CliPath, "mount", source, mountPoint, .. options], root);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = new Process { StartInfo = start };
        var mount = new VfsMount(process, root, mountPoint, source);
        process.OutputDataReceived += (_, e) => mount.Append(e.Data);
        process.ErrorDataReceived += (_, e) => mount.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await mount.WaitUntilMountedAsync().ConfigureAwait(false);
            return mount;
        }
        catch
        {
            await mount.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the child's output matches <paramref name="pattern"/> (it is read asynchronously); returns the output.</summary>
    public async Task<string> WaitForOutputAsync(string pattern, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!System.Text.RegularExpressions.Regex.IsMatch(Output, pattern))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no output matching {pattern}:\n{Output}");
            await Task.Delay(20).ConfigureAwait(false);
        }
        return Output;
    }

    /// <summary>Runs a bash script with the mount point as working directory.</summary>
    public Task<ShellResult> BashAsync(string script, TimeSpan? timeout = null) => Shell.BashAsync(script, MountPoint, timeout);

    /// <summary>The type mounted at <paramref name="path"/> in /proc/self/mountinfo, or null.</summary>
    public static string? MountTypeAt(string path)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && fields[4] == path && dash > 0) return fields[dash + 1];
        }
        return null;
    }

    /// <summary>SIGKILLs the child (as the OOM killer would) and waits for it: the kernel keeps a dead mount behind.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>Unmounts as a user would and waits for the child to finish; returns its exit code.</summary>
    public async Task<int> UnmountAsync()
    {
        if (MountTypeAt(MountPoint) is not null)
        {
            var result = await Shell.RunAsync("fusermount3", ["-u", MountPoint], timeout: StopTimeout).ConfigureAwait(false);
            if (result.ExitCode != 0) await Shell.RunAsync("fusermount3", ["-uz", MountPoint], timeout: StopTimeout).ConfigureAwait(false);
        }
        using var wait = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!_process.HasExited || MountTypeAt(MountPoint) is not null) await UnmountAsync().ConfigureAwait(false);
        }
        finally
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
            if (MountTypeAt(MountPoint) is not null) await Shell.RunAsync("umount", ["-l", MountPoint]).ConfigureAwait(false);
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp directory left behind is harmless; a mount left behind is not (handled above).
            }
        }
    }

    private async Task WaitUntilMountedAsync()
    {
        var clock = Stopwatch.StartNew();
        while (MountTypeAt(MountPoint) != MountType)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"vfs mount exited with {_process.ExitCode} before mounting:\n{Output}");
            if (clock.Elapsed > StartTimeout)
                throw new TimeoutException($"vfs mount did not mount within {StartTimeout}:\n{Output}");
            await Task.Delay(20).ConfigureAwait(false);
        }
        // Mounted; a stat waits for the kernel's INIT to be answered.
        await Task.Run(() => Directory.Exists(MountPoint)).ConfigureAwait(false);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
