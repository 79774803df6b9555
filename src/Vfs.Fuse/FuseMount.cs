using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Vfs.Abstractions;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>
/// One mounted filesystem: a libfuse session serving an <see cref="IVfs"/> at a mount point.
/// </summary>
/// <remarks>
/// States: mounted and serving (after <see cref="Mount"/>) -> loop ended (<see cref="Completion"/> done: someone
/// unmounted it, or <see cref="Unmount"/> did) -> disposed (session destroyed, native memory freed, handles the kernel
/// left open released). The loop is libfuse's multi-threaded one (fuse_session_loop_mt_312) on its own thread;
/// it returns when the kernel ends the connection, i.e. on unmount. Shutting down is therefore: flush open files,
/// unmount (lazily when busy), wait for the loop. libfuse's own signal handlers are not installed: the CLI
/// handles SIGINT/SIGTERM through .NET and calls <see cref="Unmount"/>.
/// </remarks>
public sealed class FuseMount : IAsyncDisposable
{
    private readonly FuseAdapter _adapter;
    private readonly FuseMountOptions _options;
    private readonly TaskCompletionSource<int> _loopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GCHandle _self;
    private unsafe FuseLowLevelOps* _ops;
    private nint _session;
    private nint _loopConfig;
    private bool _disposed;

    private FuseMount(IVfs vfs, string mountPoint, FuseMountOptions options)
    {
        _adapter = new FuseAdapter(vfs, options);
        _options = options;
        MountPoint = mountPoint;
    }

    public string MountPoint { get; }

    /// <summary>Completes with libfuse's loop result when the filesystem is no longer mounted.</summary>
    public Task<int> Completion => _loopDone.Task;

    /// <summary>Files the kernel holds open.</summary>
    public int OpenFileCount => _adapter.OpenFileCount;

    /// <summary>Inodes the kernel holds (the root included).</summary>
    public int InodeCount => _adapter.Inodes.Count;

    /// <summary>True when libfuse3 (libfuse3.so.3) can be loaded on this machine.</summary>
    public static bool IsLibFuseAvailable() => NativeLibrary.TryLoad(LibFuse.Library, out _);

    /// <summary>Mounts <paramref name="vfs"/> at <paramref name="mountPoint"/> and starts serving it.</summary>
    /// <exception cref="FuseMountException">libfuse refused the options or the mount.</exception>
    public static FuseMount Mount(IVfs vfs, string mountPoint, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(vfs);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var mount = new FuseMount(vfs, Path.GetFullPath(mountPoint), options);
        try
        {
            mount.Start();
            return mount;
        }
        catch
        {
            mount.FreeNative();
            throw;
        }
    }

    /// <summary>Tells the kernel to drop what it cached of <paramref name="path"/> (its attributes, data and name).</summary>
    public unsafe void Invalidate(VfsPath path)
    {
        if (_session == 0 || _loopDone.Task.IsCompleted) return;
        if (_adapter.Inodes.TryGetIno(path, out var ino)) LibFuse.NotifyInvalInode(_session, ino, 0, 0);
        if (!path.IsRoot && _adapter.Inodes.TryGetIno(path.Parent, out var parent))
        {
            byte[] name = Encoding.UTF8.GetBytes(path.Name + "\0");
            fixed (byte* text = name) LibFuse.NotifyInvalEntry(_session, parent, text, (nuint)(name.Length - 1));
        }
    }

    /// <summary>
    /// notify_inval_inode for <paramref name="path"/>: the kernel drops its cached attributes and pages. Returns 0, or
    /// -errno (-ENOENT: the kernel does not hold it). Must not be called from inside a request about a related path.
    /// </summary>
    public int InvalidateInode(VfsPath path)
    {
        if (_session == 0 || _loopDone.Task.IsCompleted) return -(int)Errno.ENOENT;
        return _adapter.Inodes.TryGetIno(path, out var ino) ? LibFuse.NotifyInvalInode(_session, ino, 0, 0) : -(int)Errno.ENOENT;
    }

    /// <summary>
    /// notify_inval_entry for <paramref name="path"/>'s name in its parent: the kernel forgets the dentry (positive or
    /// negative) and looks the name up anew. Returns 0 or -errno (-ENOENT: no such dentry). Same caveat as above.
    /// </summary>
    public unsafe int InvalidateEntry(VfsPath path)
    {
        if (_session == 0 || _loopDone.Task.IsCompleted || path.IsRoot) return -(int)Errno.ENOENT;
        if (!_adapter.Inodes.TryGetIno(path.Parent, out var parent)) return -(int)Errno.ENOENT;
        byte[] name = Encoding.UTF8.GetBytes(path.Name + "\0");
        fixed (byte* text = name) return LibFuse.NotifyInvalEntry(_session, parent, text, (nuint)(name.Length - 1));
    }

    /// <summary>
    /// Another writer replaced the content of the file at <paramref name="path"/>: the kernel drops the inode's
    /// attributes and pages. When files are open on that inode, new lookups of the name get a new inode
    /// (<see cref="InodeTable.Supersede"/>) and the name is invalidated: the kernel's page cache is per inode, so without a new inode for new
    /// opens, their pages of the new version would be served to readers that opened the old one. (The old inode keeps its
    /// path: an open racing with this reaches the new version, and its open without keep_cache drops the old pages.)
    /// </summary>
    public int InvalidateContent(VfsPath path)
    {
        if (_session == 0 || _loopDone.Task.IsCompleted) return -(int)Errno.ENOENT;
        if (!_adapter.Inodes.TryGetIno(path, out var ino)) return -(int)Errno.ENOENT;
        if (_adapter.Inodes.FindOpenHandle(ino) is not null && !path.IsRoot)
        {
            _adapter.Inodes.Supersede(path);
            InvalidateEntry(path);
        }
        return LibFuse.NotifyInvalInode(_session, ino, 0, 0);
    }

    /// <summary>Flushes every open file, so written data reaches the store before an unmount.</summary>
    public Task FlushOpenFilesAsync(CancellationToken cancellationToken) => _adapter.FlushOpenFilesAsync(cancellationToken);

    /// <summary>
    /// Unmounts; the loop then ends. When the mount is busy (a process has a file open or its working directory
    /// there) and <paramref name="lazyWhenBusy"/> is set, it is detached: gone from the namespace at once, served
    /// until the last user lets go. Returns false when it stayed mounted.
    /// </summary>
    public bool Unmount(bool lazyWhenBusy)
    {
        if (_loopDone.Task.IsCompleted) return true;
        return MountTable.Unmount(MountPoint, lazyWhenBusy, _options.Log);
    }

    private unsafe void Start()
    {
        if (!IsLibFuseAvailable()) throw new FuseMountException("libfuse3 is not installed (Debian: apt-get install fuse3)");
        _self = GCHandle.Alloc(_adapter);
        _ops = (FuseLowLevelOps*)NativeMemory.AllocZeroed((nuint)sizeof(FuseLowLevelOps));
        *_ops = FuseCallbacks.Create();

        var mountOptions = new List<string> { $"fsname={_options.FsName}", $"subtype={_options.Subtype}" };
        if (_options.AllowOther) mountOptions.Add("allow_other");
        if (_options.DefaultPermissions || _options.AllowOther) mountOptions.Add("default_permissions");
        if (_options.ReadOnly) mountOptions.Add("ro");
        string[] argv = ["layeredvfs", "-o", string.Join(',', mountOptions)];

        var args = NativeArgs.Create(argv);
        try
        {
            var fuseArgs = args.Args;
            _session = LibFuse.SessionNew(&fuseArgs, _ops, (nuint)sizeof(FuseLowLevelOps), GCHandle.ToIntPtr(_self));
        }
        finally
        {
            args.Free();
        }
        if (_session == 0) throw new FuseMountException("libfuse refused the mount options (see the line above)");

        byte[] mountPoint = Encoding.UTF8.GetBytes(MountPoint + "\0");
        fixed (byte* text = mountPoint)
        {
            if (LibFuse.SessionMount(_session, text) != 0)
                throw new FuseMountException($"could not mount {MountPoint} (see the line above)");
        }

        _loopConfig = LibFuse.LoopConfigCreate();
        LibFuse.LoopConfigSetMaxThreads(_loopConfig, (uint)_options.MaxThreads);
        var loop = new Thread(RunLoop) { Name = "fuse-loop", IsBackground = true };
        loop.Start();
        // The kernel sets the read-ahead while it handles the INIT reply, so a change must come after: a stat of the
        // root waits for INIT (served by the loop's threads, not this one).
        Ready = Task.Run(() =>
        {
            _ = Directory.Exists(MountPoint);
            SetReadAhead();
        });
    }

    /// <summary>Completes once the kernel has initialized the connection and the mount answers.</summary>
    public Task Ready { get; private set; } = Task.CompletedTask;

    private void SetReadAhead()
    {
        if (_options.ReadAheadKiB == 0) return;
        string? device = MountTable.DeviceAt(MountPoint);
        string setting = $"/sys/class/bdi/{device}/read_ahead_kb";
        try
        {
            if (device is not null) File.WriteAllText(setting, _options.ReadAheadKiB.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not root: the kernel's default read-ahead stays; reads are just split smaller.
            if (_options.Debug) _options.Log($"fuse: could not set {setting}: {e.Message}");
        }
    }

    private void RunLoop()
    {
        try
        {
            int result = LibFuse.SessionLoopMt(_session, _loopConfig);
            _loopDone.TrySetResult(result);
        }
        catch (Exception e)
        {
            _loopDone.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_loopDone.Task.IsCompleted)
        {
            Unmount(lazyWhenBusy: true);
            await _loopDone.Task.ConfigureAwait(false);
        }
        await _adapter.ReleaseAllAsync().ConfigureAwait(false);
        FreeNative();
    }

    private unsafe void FreeNative()
    {
        if (_session != 0)
        {
            // Already unmounted by now: fuse_session_unmount only closes the device (and polls it first).
            LibFuse.SessionUnmount(_session);
            LibFuse.SessionDestroy(_session);
            _session = 0;
        }
        if (_loopConfig != 0)
        {
            LibFuse.LoopConfigDestroy(_loopConfig);
            _loopConfig = 0;
        }
        if (_ops != null)
        {
            NativeMemory.Free(_ops);
            _ops = null;
        }
        if (_self.IsAllocated) _self.Free();
    }

    /// <summary>A fuse_args with its argv in native memory, freed after fuse_session_new (which copies what it keeps).</summary>
    private readonly unsafe struct NativeArgs
    {
        private readonly byte** _argv;
        private readonly int _count;

        private NativeArgs(byte** argv, int count)
        {
            _argv = argv;
            _count = count;
        }

        public FuseArgs Args => new() { Argc = _count, Argv = _argv, Allocated = 0 };

        public static NativeArgs Create(string[] argv)
        {
            var array = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Length + 1), (nuint)sizeof(byte*));
            for (int i = 0; i < argv.Length; i++) array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(argv[i]);
            return new NativeArgs(array, argv.Length);
        }

        public void Free()
        {
            for (int i = 0; i < _count; i++) Marshal.FreeCoTaskMem((nint)_argv[i]);
            NativeMemory.Free(_argv);
        }
    }
}
