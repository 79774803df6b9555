using System.Runtime.InteropServices;
using Vfs.Abstractions;
using Vfs.Fuse;

namespace Vfs.Cli.Mounting;

/// <summary>
/// Serves a mount until it is unmounted (vfs unmount, umount, fusermount3 -u) or the process gets SIGINT/SIGTERM/SIGHUP.
/// </summary>
/// <remarks>
/// On a signal: flush every open file (so written data reaches the store), unmount (lazily if a process still uses
/// the mount: it is then served until released), wait for the loop, release, dispose the stack. A second signal
/// while that runs exits at once, detaching the mount.
/// </remarks>
public static class ForegroundMount
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    /// <param name="attach">Hooks the layers to the mount (kernel notifications); disposed when the mount ends.</param>
    public static async Task<int> RunAsync(
        IVfs stack, string source, string mountPoint, FuseMountOptions options, Func<FuseMount, FuseMountOptions, IDisposable>? attach = null)
    {
        await using var disposeStack = stack.ConfigureAwait(false);
        FuseMount mount;
        try
        {
            mount = FuseMount.Mount(stack, mountPoint, options);
        }
        catch (FuseMountException e)
        {
            throw new CliException(e.Message);
        }

        var stop = new TaskCompletionSource<PosixSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                stop.TrySetResult(context.Signal);
                return;
            }
            options.Log($"vfs: second {context.Signal}: detaching {mountPoint} and exiting now");
            MountTable.Unmount(mountPoint, lazyWhenBusy: true, options.Log);
            Environment.Exit(1);
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        // Announce only once the kernel's INIT is answered (or the session ended first, reported below).
        await Task.WhenAny(mount.Ready, mount.Completion).ConfigureAwait(false);
        if (mount.Ready.IsCompletedSuccessfully)
            options.Log($"vfs: mounted {source} at {mountPoint} (pid {Environment.ProcessId}); stop with Ctrl-C or: vfs unmount {mountPoint}");
        await using (mount.ConfigureAwait(false))
        {
            using var attached = attach?.Invoke(mount, options);
            var first = await Task.WhenAny(mount.Completion, stop.Task).ConfigureAwait(false);
            if (first == stop.Task)
            {
                options.Log($"vfs: {stop.Task.Result}: flushing {mount.OpenFileCount} open file(s) and unmounting {mountPoint}");
                using (var timeout = new CancellationTokenSource(FlushTimeout))
                {
                    try
                    {
                        await mount.FlushOpenFilesAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        options.Log($"vfs: flushing took longer than {FlushTimeout.TotalSeconds:F0} s; unmounting anyway");
                    }
                }
                if (!mount.Unmount(lazyWhenBusy: true)) return 1;
            }
            int result = await mount.Completion.ConfigureAwait(false);
            if (result != 0 && first != stop.Task) options.Log($"vfs: the FUSE session ended with error {result}");
        }
        options.Log($"vfs: unmounted {mountPoint}");
        return 0;
    }
}
