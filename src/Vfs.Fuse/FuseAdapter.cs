using System.Buffers;
using System.Diagnostics;
using System.Text;
using Vfs.Abstractions;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>
/// Serves the kernel's FUSE requests from an <see cref="IVfs"/>: decode, call, reply, map errors. Nothing else:
/// no caching and no store logic live here (STYLE.md habit 7).
/// </summary>
/// <remarks>
/// Design: <see cref="FuseCallbacks"/> (the native entry points) decode the arguments on the libfuse thread and
/// start one async method here per request; the method awaits the layer and replies from whichever thread it
/// completes on (fuse_reply_* is thread-safe), so a slow store never holds a libfuse thread. Every request is
/// answered exactly once: each method's body sits in one try whose catch answers through <see cref="Fail"/>,
/// and the reply helpers never throw. Data the kernel lends for the call only (a write's bytes, the
/// fuse_file_info) is copied before the first await.
/// State: <see cref="InodeTable"/> (inode numbers and lookup counts) and two handle tables. No lock of this class
/// is held across an await; the inode table's lock is internal to it.
/// </remarks>
internal sealed partial class FuseAdapter
{
    private const int O_ACCMODE = 3;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_TRUNC = 0x200;
    private const int O_APPEND = 0x400;
    private const int W_OK = 2;

    /// <summary>Buffers for read and write payloads, up to max_write (1 MiB) each, kept for reuse (not left to the GC).</summary>
    public static readonly ArrayPool<byte> Payloads = ArrayPool<byte>.Create(FuseMountOptions.MaxWrite, maxArraysPerBucket: 64);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IVfs _vfs;
    private readonly FuseMountOptions _options;
    private readonly StatConverter _stats;
    private readonly HandleTable<FileHandle> _files = new();
    private readonly HandleTable<DirectoryHandle> _directories = new();
    private readonly double _entryTimeout;
    private readonly double _attrTimeout;

    public FuseAdapter(IVfs vfs, FuseMountOptions options)
    {
        _vfs = vfs;
        _options = options;
        _stats = new StatConverter(options);
        _entryTimeout = options.EntryTimeout.TotalSeconds;
        _attrTimeout = options.AttrTimeout.TotalSeconds;
    }

    public InodeTable Inodes { get; } = new();

    public int OpenFileCount => _files.Count;

    /// <summary>Flushes every open file (before an unmount), so written data reaches the layer below.</summary>
    public async Task FlushOpenFilesAsync(CancellationToken cancellationToken)
    {
        foreach (var handle in _files.Values)
        {
            try
            {
                await handle.File.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                FuseErrors.ToErrno(e, "flush-at-unmount", $"ino={handle.Ino}", _options.Log);
            }
        }
    }

    /// <summary>Releases what the kernel left open when the session ended (it sends no RELEASE after an abort).</summary>
    public async Task ReleaseAllAsync()
    {
        foreach (var handle in _files.Values.ToList())
        {
            try
            {
                await handle.File.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                FuseErrors.ToErrno(e, "release-at-unmount", $"ino={handle.Ino}", _options.Log);
            }
        }
    }

    // ---- init ----

    public unsafe void Init(FuseConnInfo* conn)
    {
        uint wanted = FuseCapabilities.AsyncRead | FuseCapabilities.ParallelDirops | FuseCapabilities.AtomicOTrunc
                      | FuseCapabilities.ReaddirPlus | FuseCapabilities.AsyncDio | FuseCapabilities.AutoInvalData;
        conn->Want |= wanted & conn->Capable;
        // Every directory page as readdirplus, not the kernel's READDIRPLUS_AUTO guess (plus for the first page only,
        // later pages only after a lookup): a listing already carries each entry's attributes, so sending them costs
        // nothing, and a stat or unlink of each listed name (ls -l, find, rm -r) then needs no LOOKUP round trip.
        // libfuse enables AUTO by default when the kernel offers it, so it is cleared explicitly.
        conn->Want &= ~FuseCapabilities.ReaddirPlusAuto;
        // The kernel applies the umask unless DONT_MASK is wanted; the adapter applies fuse_ctx.umask too, so either way.
        conn->MaxWrite = FuseMountOptions.MaxWrite;
        if (_options.Debug)
            _options.Log($"fuse: init protocol {conn->ProtoMajor}.{conn->ProtoMinor} max_write={conn->MaxWrite} max_readahead={conn->MaxReadahead} want=0x{conn->Want:x}");
    }

    // ---- namespace ----

    public async ValueTask LookupAsync(FuseRequest r, ulong parent, string name)
    {
        try
        {
            var path = Child(parent, name, r);
            var attributes = await _vfs.TryGetAttrAsync(path, r.Token).ConfigureAwait(false);
            if (attributes is null) ReplyNegativeEntry(r);
            else ReplyEntry(r, path, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public void Forget(ulong ino, ulong count)
    {
        Inodes.Forget(ino, count);
        if (_options.Debug) _options.Log($"fuse: forget ino={ino} n={count}");
    }

    public async ValueTask GetAttrAsync(FuseRequest r, ulong ino, ulong? fh)
    {
        try
        {
            var attributes = await AttributesOfAsync(r, ino, fh).ConfigureAwait(false);
            ReplyAttr(r, ino, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask SetAttrAsync(FuseRequest r, ulong ino, VfsAttributeChanges changes, ulong? fh)
    {
        try
        {
            if (_options.ReadOnly) throw new VfsException(Errno.EROFS);
            FileHandle? handle = fh is { } number && _files.TryGet(number, out var h) ? h : null;
            VfsAttributes? attributes = null;
            if (changes.Size is { } size && handle is not null)
            {
                // ftruncate(2) goes through the handle, which may hold writes the path does not see yet.
                await handle.File.TruncateAsync(size, r.Token).ConfigureAwait(false);
                changes = changes with { Size = null };
            }
            if (!changes.IsEmpty)
            {
                var path = Resolve(ino, r);
                attributes = await _vfs.SetAttrAsync(path, changes, r.Token).ConfigureAwait(false);
            }
            handle ??= Inodes.FindOpenHandle(ino);
            if (handle is not null) attributes = await handle.File.GetAttrAsync(r.Token).ConfigureAwait(false);
            attributes ??= await _vfs.GetAttrAsync(Resolve(ino, r), r.Token).ConfigureAwait(false);
            ReplyAttr(r, ino, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask ReadLinkAsync(FuseRequest r, ulong ino)
    {
        try
        {
            var target = await _vfs.ReadlinkAsync(Resolve(ino, r), r.Token).ConfigureAwait(false);
            ReplyReadlink(r, target);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask MkNodAsync(FuseRequest r, ulong parent, string name, uint mode, VfsCreateOptions options)
    {
        try
        {
            if ((mode & StatConverter.S_IFMT) != StatConverter.S_IFREG)
                throw new VfsException(Errno.EPERM, "only regular files can be made with mknod");
            var path = Child(parent, name, r);
            CheckWritable();
            var file = await _vfs.OpenAsync(path, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive, options, r.Token)
                .ConfigureAwait(false);
            VfsAttributes attributes;
            await using (file.ConfigureAwait(false))
            {
                attributes = await file.GetAttrAsync(r.Token).ConfigureAwait(false);
            }
            ReplyEntry(r, path, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask MkDirAsync(FuseRequest r, ulong parent, string name, VfsCreateOptions options)
    {
        try
        {
            var path = Child(parent, name, r);
            CheckWritable();
            var attributes = await _vfs.MkdirAsync(path, options, r.Token).ConfigureAwait(false);
            ReplyEntry(r, path, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask UnlinkAsync(FuseRequest r, ulong parent, string name)
    {
        try
        {
            var path = Child(parent, name, r);
            CheckWritable();
            await _vfs.RemoveAsync(path, r.Token).ConfigureAwait(false);
            Inodes.Detach(path);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask RmDirAsync(FuseRequest r, ulong parent, string name)
    {
        try
        {
            var path = Child(parent, name, r);
            CheckWritable();
            await _vfs.RmdirAsync(path, r.Token).ConfigureAwait(false);
            Inodes.Detach(path);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask SymLinkAsync(FuseRequest r, string target, ulong parent, string name, VfsCreateOptions options)
    {
        try
        {
            var path = Child(parent, name, r);
            CheckWritable();
            var attributes = await _vfs.SymlinkAsync(path, target, options, r.Token).ConfigureAwait(false);
            ReplyEntry(r, path, attributes);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask RenameAsync(FuseRequest r, ulong parent, string name, ulong newParent, string newName, uint flags)
    {
        try
        {
            var from = Child(parent, name, r);
            var to = Child(newParent, newName, null);
            r.Subject = $"{from} -> {to}";
            // RENAME_WHITEOUT (4) is for overlay filesystems; nothing here can make a whiteout.
            if ((flags & ~3u) != 0) throw new VfsException(Errno.EINVAL, "unsupported rename flags");
            CheckWritable();
            var renameFlags = (VfsRenameFlags)flags;
            await _vfs.RenameAsync(from, to, renameFlags, r.Token).ConfigureAwait(false);
            Inodes.Rename(from, to, exchange: renameFlags.HasFlag(VfsRenameFlags.Exchange));
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask StatFsAsync(FuseRequest r)
    {
        try
        {
            var statFs = await _vfs.StatFsAsync(r.Token).ConfigureAwait(false);
            ReplyStatFs(r, statFs);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask AccessAsync(FuseRequest r, ulong ino, int mask)
    {
        try
        {
            var path = Resolve(ino, r);
            _ = await _vfs.TryGetAttrAsync(path, r.Token).ConfigureAwait(false) ?? throw VfsException.NotFound(path);
            if (_options.ReadOnly && (mask & W_OK) != 0) throw new VfsException(Errno.EROFS);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    // ---- files ----

    public async ValueTask CreateAsync(FuseRequest r, ulong parent, string name, VfsCreateOptions options, FuseFileInfo info)
    {
        IVfsFile? file = null;
        try
        {
            var path = Child(parent, name, r);
            CheckWritable();
            var flags = ToOpenFlags(info.Flags) | VfsOpenFlags.Create;
            file = await _vfs.OpenAsync(path, flags, options, r.Token).ConfigureAwait(false);
            var attributes = await file.GetAttrAsync(r.Token).ConfigureAwait(false);
            if (ReplyCreate(r, path, attributes, file, info)) file = null;
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
        finally
        {
            if (file is not null) await DisposeQuietlyAsync(file).ConfigureAwait(false);
        }
    }

    public async ValueTask OpenAsync(FuseRequest r, ulong ino, FuseFileInfo info)
    {
        IVfsFile? file = null;
        try
        {
            var path = Resolve(ino, r);
            var flags = ToOpenFlags(info.Flags);
            if ((flags & (VfsOpenFlags.Write | VfsOpenFlags.Truncate)) != 0) CheckWritable();
            file = await _vfs.OpenAsync(path, flags, default, r.Token).ConfigureAwait(false);
            // Unchanged since the last open: the kernel may keep the pages it cached (else it drops them).
            var attributes = await file.GetAttrAsync(r.Token).ConfigureAwait(false);
            info.BitFields &= ~FuseFileInfo.KeepCacheBit;
            if (Inodes.OpenedUnchanged(ino, attributes.ModifiedTime.UtcTicks, attributes.Size, attributes.ETag)) info.BitFields |= FuseFileInfo.KeepCacheBit;
            // A newer version took the name while files were open on this inode: opens that still reach it (until the
            // kernel drops its dentry) bypass its page cache, which keeps serving the old version to those files.
            if (Inodes.IsSuperseded(ino)) info.BitFields |= FuseFileInfo.DirectIoBit;
            if (ReplyOpen(r, ino, file, info)) file = null;
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
        finally
        {
            if (file is not null) await DisposeQuietlyAsync(file).ConfigureAwait(false);
        }
    }

    public async ValueTask ReadAsync(FuseRequest r, ulong fh, int size, long offset)
    {
        byte[] buffer = Payloads.Rent(size);
        try
        {
            var handle = FileOf(fh);
            int read = await handle.File.ReadAsync(offset, buffer.AsMemory(0, size), r.Token).ConfigureAwait(false);
            ReplyBuffer(r, buffer, read);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
        finally
        {
            Payloads.Return(buffer);
        }
    }

    /// <summary>Writes <paramref name="data"/> (a pooled copy of the kernel's bytes, returned to the pool here).</summary>
    public async ValueTask WriteAsync(FuseRequest r, ulong fh, byte[] data, int size, long offset)
    {
        try
        {
            var handle = FileOf(fh);
            await handle.File.WriteAsync(offset, data.AsMemory(0, size), r.Token).ConfigureAwait(false);
            ReplyWrite(r, size);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
        finally
        {
            Payloads.Return(data);
        }
    }

    public async ValueTask FlushAsync(FuseRequest r, ulong fh)
    {
        try
        {
            await FileOf(fh).File.FlushAsync(r.Token).ConfigureAwait(false);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask FsyncAsync(FuseRequest r, ulong fh)
    {
        try
        {
            await FileOf(fh).File.FsyncAsync(r.Token).ConfigureAwait(false);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask ReleaseAsync(FuseRequest r, ulong fh)
    {
        try
        {
            if (!_files.TryRemove(fh, out var handle)) throw new VfsException(Errno.EBADF);
            Inodes.DetachHandle(handle.Ino, handle);
            await handle.File.DisposeAsync().ConfigureAwait(false);
            ReplyError(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    // ---- directories ----

    public unsafe void OpenDir(FuseRequest r, ulong ino, FuseFileInfo info)
    {
        try
        {
            var path = Resolve(ino, r);
            var handle = new DirectoryHandle(ino, path);
            info.Fh = _directories.Add(handle);
            if (!r.TryBeginReply()) return;
            if (LibFuse.ReplyOpen(r.Handle, &info) != 0) _directories.TryRemove(info.Fh, out _);
            Finish(r, 0);
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
    }

    public async ValueTask ReadDirAsync(FuseRequest r, ulong fh, int size, long offset, bool plus)
    {
        byte[]? buffer = null;
        try
        {
            if (!_directories.TryGet(fh, out var directory)) throw new VfsException(Errno.EBADF);
            r.Subject = $"{directory.Path} off={offset}";
            await directory.Gate.WaitAsync(r.Token).ConfigureAwait(false);
            try
            {
                // Offset 0 is a fresh start or a rewinddir(3): take a new snapshot; any other offset pages the old one.
                if (directory.Snapshot is null || offset == 0)
                    directory.Snapshot = await ListAsync(directory.Path, r.Token).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(size);
                int used = FillDirectory(r, directory, buffer, size, offset, plus);
                ReplyBuffer(r, buffer, used);
            }
            finally
            {
                directory.Gate.Release();
            }
        }
        catch (Exception e)
        {
            Fail(r, e);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void ReleaseDir(FuseRequest r, ulong fh)
    {
        // The gate is not disposed: a readdir that just answered may still be releasing it.
        _directories.TryRemove(fh, out _);
        ReplyError(r, 0);
    }

    // ---- helpers: decoding ----

    /// <summary>A name from the kernel, decoded once; invalid UTF-8 is EINVAL (an S3 key must be UTF-8).</summary>
    public unsafe static bool TryDecode(byte* text, out string value)
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text);
        try
        {
            value = StrictUtf8.GetString(span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            value = string.Empty;
            return false;
        }
    }

    /// <summary>The owner and permission bits of a new entry: the caller's uid/gid and mode &amp; ~umask.</summary>
    public unsafe static VfsCreateOptions CreateOptionsFor(nint req, uint mode)
    {
        var context = LibFuse.RequestContext(req);
        return new VfsCreateOptions((int)(mode & 0xFFF & ~context->Umask), context->Uid, context->Gid);
    }

    public static VfsOpenFlags ToOpenFlags(int flags)
    {
        var result = (flags & O_ACCMODE) switch
        {
            O_WRONLY => VfsOpenFlags.Write,
            O_RDWR => VfsOpenFlags.ReadWrite,
            _ => VfsOpenFlags.Read,
        };
        if ((flags & O_CREAT) != 0) result |= VfsOpenFlags.Create;
        if ((flags & O_EXCL) != 0) result |= VfsOpenFlags.Exclusive;
        if ((flags & O_TRUNC) != 0) result |= VfsOpenFlags.Truncate;
        if ((flags & O_APPEND) != 0) result |= VfsOpenFlags.Append;
        return result;
    }

    public unsafe VfsAttributeChanges ToChanges(Stat* attr, int toSet)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var changes = new VfsAttributeChanges();
        if ((toSet & FuseSetAttr.Mode) != 0) changes = changes with { Mode = (int)(attr->Mode & 0xFFF) };
        if ((toSet & FuseSetAttr.Uid) != 0) changes = changes with { Uid = attr->Uid };
        if ((toSet & FuseSetAttr.Gid) != 0) changes = changes with { Gid = attr->Gid };
        if ((toSet & FuseSetAttr.Size) != 0) changes = changes with { Size = attr->Size };
        if ((toSet & FuseSetAttr.AtimeNow) != 0) changes = changes with { AccessTime = now };
        else if ((toSet & FuseSetAttr.Atime) != 0) changes = changes with { AccessTime = StatConverter.FromTimeSpec(attr->Atime) };
        if ((toSet & FuseSetAttr.MtimeNow) != 0) changes = changes with { ModifiedTime = now };
        else if ((toSet & FuseSetAttr.Mtime) != 0) changes = changes with { ModifiedTime = StatConverter.FromTimeSpec(attr->Mtime) };
        return changes;
    }

    private VfsPath Resolve(ulong ino, FuseRequest? r)
    {
        if (!Inodes.TryGetPath(ino, out var path))
            throw new VfsException(Inodes.IsKnown(ino) ? Errno.ENOENT : Errno.ESTALE, $"inode {ino} has no name");
        if (r is not null) r.Subject ??= path.ToString();
        return path;
    }

    private VfsPath Child(ulong parent, string name, FuseRequest? r)
    {
        var path = Resolve(parent, null).Combine(name);
        if (r is not null) r.Subject = path.ToString();
        return path;
    }

    private FileHandle FileOf(ulong fh) =>
        _files.TryGet(fh, out var handle) ? handle : throw new VfsException(Errno.EBADF, $"no open file {fh}");

    private void CheckWritable()
    {
        if (_options.ReadOnly) throw new VfsException(Errno.EROFS);
    }

    private async ValueTask<VfsAttributes> AttributesOfAsync(FuseRequest r, ulong ino, ulong? fh)
    {
        // An open handle sees writes not yet flushed and outlives unlink: prefer it to the path.
        var handle = fh is { } number && _files.TryGet(number, out var h) ? h : Inodes.FindOpenHandle(ino);
        if (handle is not null)
        {
            r.Subject ??= $"ino={ino} (open)";
            return await handle.File.GetAttrAsync(r.Token).ConfigureAwait(false);
        }
        var path = Resolve(ino, r);
        return await _vfs.GetAttrAsync(path, r.Token).ConfigureAwait(false);
    }

    private async ValueTask<List<VfsEntry>> ListAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var entries = new List<VfsEntry>();
        await foreach (var entry in _vfs.ListAsync(path, cancellationToken).ConfigureAwait(false)) entries.Add(entry);
        return entries;
    }

    private static async ValueTask DisposeQuietlyAsync(IVfsFile file)
    {
        try
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The request already failed or was interrupted; release errors have nowhere to go.
        }
    }
}
