using System.Runtime.InteropServices;
using Vfs.Abstractions;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>
/// The native entry points libfuse calls, one static function per slot of fuse_lowlevel_ops. Each one finds its
/// adapter from the request's userdata, decodes what the kernel lent for this call only (names, the
/// fuse_file_info, a write's bytes), starts the adapter's async method and returns: the reply comes later.
/// An exception must never cross back into C, so each body is guarded.
/// </summary>
internal static unsafe class FuseCallbacks
{
    /// <summary>The table handed to fuse_session_new; unset slots stay null (libfuse answers ENOSYS).</summary>
    public static FuseLowLevelOps Create() => new()
    {
        Init = &Init,
        Lookup = &Lookup,
        Forget = &Forget,
        GetAttr = &GetAttr,
        SetAttr = &SetAttr,
        ReadLink = &ReadLink,
        MkNod = &MkNod,
        MkDir = &MkDir,
        Unlink = &Unlink,
        RmDir = &RmDir,
        SymLink = &SymLink,
        Rename = &Rename,
        Link = &Link,
        Open = &Open,
        Read = &Read,
        Write = &Write,
        Flush = &Flush,
        Release = &Release,
        Fsync = &Fsync,
        OpenDir = &OpenDir,
        ReadDir = &ReadDir,
        ReleaseDir = &ReleaseDir,
        FsyncDir = &FsyncDir,
        StatFs = &StatFs,
        Access = &Access,
        Create = &Create,
        ForgetMulti = &ForgetMulti,
        ReadDirPlus = &ReadDirPlus,
    };

    private static FuseAdapter AdapterOf(nint req) => (FuseAdapter)GCHandle.FromIntPtr(LibFuse.RequestUserdata(req)).Target!;

    private static void Guard(nint req, Exception exception)
    {
        // Only reached when the failure came before the adapter took the request over.
        Console.Error.WriteLine($"vfs: internal error in a FUSE callback: {exception}");
        LibFuse.ReplyErr(req, (int)Errno.EIO);
    }

    private static bool TryName(nint req, byte* text, out string name)
    {
        if (FuseAdapter.TryDecode(text, out name)) return true;
        LibFuse.ReplyErr(req, (int)Errno.EINVAL);
        return false;
    }

    [UnmanagedCallersOnly]
    private static void Init(nint userdata, FuseConnInfo* conn)
    {
        try
        {
            ((FuseAdapter)GCHandle.FromIntPtr(userdata).Target!).Init(conn);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"vfs: internal error in FUSE init: {e}");
        }
    }

    [UnmanagedCallersOnly]
    private static void Lookup(nint req, ulong parent, byte* name)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            _ = AdapterOf(req).LookupAsync(FuseRequest.Begin(req, "lookup"), parent, text);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Forget(nint req, ulong ino, ulong nlookup)
    {
        try
        {
            AdapterOf(req).Forget(ino, nlookup);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"vfs: internal error in FUSE forget: {e}");
        }
        LibFuse.ReplyNone(req);
    }

    [UnmanagedCallersOnly]
    private static void ForgetMulti(nint req, nuint count, FuseForgetData* forgets)
    {
        try
        {
            var adapter = AdapterOf(req);
            for (nuint i = 0; i < count; i++) adapter.Forget(forgets[i].Ino, forgets[i].Nlookup);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"vfs: internal error in FUSE batch forget: {e}");
        }
        LibFuse.ReplyNone(req);
    }

    [UnmanagedCallersOnly]
    private static void GetAttr(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            ulong? fh = fi is null ? null : fi->Fh;
            _ = AdapterOf(req).GetAttrAsync(FuseRequest.Begin(req, "getattr"), ino, fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void SetAttr(nint req, ulong ino, Stat* attr, int toSet, FuseFileInfo* fi)
    {
        try
        {
            var adapter = AdapterOf(req);
            ulong? fh = fi is null ? null : fi->Fh;
            _ = adapter.SetAttrAsync(FuseRequest.Begin(req, "setattr"), ino, adapter.ToChanges(attr, toSet), fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void ReadLink(nint req, ulong ino)
    {
        try
        {
            _ = AdapterOf(req).ReadLinkAsync(FuseRequest.Begin(req, "readlink"), ino);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void MkNod(nint req, ulong parent, byte* name, uint mode, ulong rdev)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            var options = FuseAdapter.CreateOptionsFor(req, mode);
            _ = AdapterOf(req).MkNodAsync(FuseRequest.Begin(req, "mknod"), parent, text, mode, options);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void MkDir(nint req, ulong parent, byte* name, uint mode)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            var options = FuseAdapter.CreateOptionsFor(req, mode);
            _ = AdapterOf(req).MkDirAsync(FuseRequest.Begin(req, "mkdir"), parent, text, options);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Unlink(nint req, ulong parent, byte* name)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            _ = AdapterOf(req).UnlinkAsync(FuseRequest.Begin(req, "unlink"), parent, text);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void RmDir(nint req, ulong parent, byte* name)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            _ = AdapterOf(req).RmDirAsync(FuseRequest.Begin(req, "rmdir"), parent, text);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void SymLink(nint req, byte* link, ulong parent, byte* name)
    {
        try
        {
            if (!TryName(req, name, out var text) || !TryName(req, link, out var target)) return;
            var options = FuseAdapter.CreateOptionsFor(req, 0x1FF);
            _ = AdapterOf(req).SymLinkAsync(FuseRequest.Begin(req, "symlink"), target, parent, text, options);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Rename(nint req, ulong parent, byte* name, ulong newParent, byte* newName, uint flags)
    {
        try
        {
            if (!TryName(req, name, out var from) || !TryName(req, newName, out var to)) return;
            _ = AdapterOf(req).RenameAsync(FuseRequest.Begin(req, "rename"), parent, from, newParent, to, flags);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Link(nint req, ulong ino, ulong newParent, byte* newName)
    {
        // No store keeps hard links (an S3 object has one name).
        AdapterOf(req).ReplyError(FuseRequest.Begin(req, "link", $"ino={ino}"), (int)Errno.EPERM);
    }

    [UnmanagedCallersOnly]
    private static void Open(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).OpenAsync(FuseRequest.Begin(req, "open"), ino, *fi);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Read(nint req, ulong ino, nuint size, long off, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).ReadAsync(FuseRequest.Begin(req, "read", $"ino={ino} off={off} size={size}"), fi->Fh, (int)size, off);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Write(nint req, ulong ino, byte* buf, nuint size, long off, FuseFileInfo* fi)
    {
        try
        {
            // The kernel's bytes are valid only during this call: copy them before the write goes async.
            int length = (int)size;
            byte[] data = FuseAdapter.Payloads.Rent(length);
            new ReadOnlySpan<byte>(buf, length).CopyTo(data);
            _ = AdapterOf(req).WriteAsync(FuseRequest.Begin(req, "write", $"ino={ino} off={off} size={size}"), fi->Fh, data, length, off);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Flush(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).FlushAsync(FuseRequest.Begin(req, "flush", $"ino={ino}"), fi->Fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Release(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).ReleaseAsync(FuseRequest.Begin(req, "release", $"ino={ino}"), fi->Fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Fsync(nint req, ulong ino, int datasync, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).FsyncAsync(FuseRequest.Begin(req, "fsync", $"ino={ino}"), fi->Fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void OpenDir(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            AdapterOf(req).OpenDir(FuseRequest.Begin(req, "opendir"), ino, *fi);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void ReadDir(nint req, ulong ino, nuint size, long off, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).ReadDirAsync(FuseRequest.Begin(req, "readdir"), fi->Fh, (int)size, off, plus: false);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void ReadDirPlus(nint req, ulong ino, nuint size, long off, FuseFileInfo* fi)
    {
        try
        {
            _ = AdapterOf(req).ReadDirAsync(FuseRequest.Begin(req, "readdirplus"), fi->Fh, (int)size, off, plus: true);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void ReleaseDir(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            AdapterOf(req).ReleaseDir(FuseRequest.Begin(req, "releasedir", $"ino={ino}"), fi->Fh);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void FsyncDir(nint req, ulong ino, int datasync, FuseFileInfo* fi)
    {
        // Directory changes go to the store as they happen; there is nothing to sync.
        AdapterOf(req).ReplyError(FuseRequest.Begin(req, "fsyncdir", $"ino={ino}"), 0);
    }

    [UnmanagedCallersOnly]
    private static void StatFs(nint req, ulong ino)
    {
        try
        {
            _ = AdapterOf(req).StatFsAsync(FuseRequest.Begin(req, "statfs"));
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Access(nint req, ulong ino, int mask)
    {
        try
        {
            _ = AdapterOf(req).AccessAsync(FuseRequest.Begin(req, "access"), ino, mask);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Create(nint req, ulong parent, byte* name, uint mode, FuseFileInfo* fi)
    {
        try
        {
            if (!TryName(req, name, out var text)) return;
            var options = FuseAdapter.CreateOptionsFor(req, mode);
            _ = AdapterOf(req).CreateAsync(FuseRequest.Begin(req, "create"), parent, text, options, *fi);
        }
        catch (Exception e)
        {
            Guard(req, e);
        }
    }
}
