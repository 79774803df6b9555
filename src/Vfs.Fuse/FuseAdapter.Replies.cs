using System.Buffers;
using System.Diagnostics;
using System.Text;
using Vfs.Abstractions;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>
/// The adapter's replies: each fills the native struct, answers through fuse_reply_*, ends the request and never
/// throws. <see cref="FuseRequest.TryBeginReply"/> makes a second answer to one request impossible (libfuse frees
/// the request with the first).
/// </summary>
internal sealed partial class FuseAdapter
{

    private unsafe int FillDirectory(FuseRequest r, DirectoryHandle directory, byte[] buffer, int size, long offset, bool plus)
    {
        var snapshot = directory.Snapshot!;
        int used = 0;
        byte[] name = ArrayPool<byte>.Shared.Rent(4 * VfsPath.MaxSegmentBytes + 1);
        try
        {
            fixed (byte* start = buffer)
            fixed (byte* namePtr = name)
            {
                for (long index = offset; index < snapshot.Count + 2; index++)
                {
                    string entryName;
                    VfsAttributes? attributes = null;
                    ulong ino;
                    VfsPath entryPath = default;
                    if (index == 0)
                    {
                        entryName = ".";
                        ino = directory.Ino;
                    }
                    else if (index == 1)
                    {
                        entryName = "..";
                        ino = Inodes.TryGetIno(directory.Path.Parent, out var parentIno) ? parentIno : InodeTable.RootIno;
                    }
                    else
                    {
                        var entry = snapshot[(int)(index - 2)];
                        // A name the path type refuses (too long a path below a deep directory) cannot be looked up: skip it.
                        if (!VfsPath.IsValidName(entry.Name) || !TryCombine(directory.Path, entry.Name, out entryPath)) continue;
                        entryName = entry.Name;
                        attributes = entry.Attributes;
                        ino = 0;
                    }
                    int nameLength = Encoding.UTF8.GetBytes(entryName, name);
                    name[nameLength] = 0;
                    nuint room = (nuint)(size - used);
                    nuint needed;
                    if (plus)
                    {
                        var param = default(FuseEntryParam);
                        if (attributes is null)
                        {
                            // "." and "..": ino 0 tells the kernel to take no reference and cache nothing.
                            param.Attr.Ino = ino;
                            param.Attr.Mode = StatConverter.S_IFDIR;
                        }
                        else
                        {
                            ino = Inodes.Remember(entryPath);
                            param = EntryParam(ino, attributes);
                        }
                        needed = LibFuse.AddDirentryPlus(r.Handle, start + used, room, namePtr, &param, index + 1);
                        if (needed > room && attributes is not null) Inodes.Forget(ino, 1);
                    }
                    else
                    {
                        if (attributes is not null && !Inodes.TryGetIno(entryPath, out ino))
                            ino = 0x8000_0000_0000_0000UL | (uint)entryPath.GetHashCode(); // d_ino only; never looked up
                        var stat = default(Stat);
                        stat.Ino = ino;
                        stat.Mode = attributes is null ? StatConverter.S_IFDIR : _stats.ToStat(ino, attributes).Mode;
                        needed = LibFuse.AddDirentry(r.Handle, start + used, room, namePtr, &stat, index + 1);
                    }
                    if (needed > room) break;
                    used += (int)needed;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(name);
        }
        return used;
    }

    private static bool TryCombine(VfsPath directory, string name, out VfsPath path)
    {
        try
        {
            path = directory.Combine(name);
            return true;
        }
        catch (VfsException)
        {
            path = default;
            return false;
        }
    }

    private FuseEntryParam EntryParam(ulong ino, VfsAttributes attributes) => new()
    {
        Ino = ino,
        Generation = 0,
        Attr = _stats.ToStat(ino, attributes),
        AttrTimeout = _attrTimeout,
        EntryTimeout = _entryTimeout,
    };

    private unsafe void ReplyEntry(FuseRequest r, VfsPath path, VfsAttributes attributes)
    {
        if (!r.TryBeginReply()) return;
        ulong ino = Inodes.Remember(path);
        var param = EntryParam(ino, attributes);
        int result = LibFuse.ReplyEntry(r.Handle, &param);
        if (result != 0) Inodes.Forget(ino, 1); // the kernel never saw it (interrupted): it will not FORGET it
        Finish(r, 0);
    }

    private unsafe void ReplyNegativeEntry(FuseRequest r)
    {
        if (!r.TryBeginReply()) return;
        if (_entryTimeout > 0)
        {
            // ino 0 with a timeout: the kernel caches "no such name" for that long.
            var param = new FuseEntryParam { EntryTimeout = _entryTimeout };
            LibFuse.ReplyEntry(r.Handle, &param);
            Finish(r, (int)Errno.ENOENT);
        }
        else
        {
            LibFuse.ReplyErr(r.Handle, (int)Errno.ENOENT);
            Finish(r, (int)Errno.ENOENT);
        }
    }

    private unsafe bool ReplyCreate(FuseRequest r, VfsPath path, VfsAttributes attributes, IVfsFile file, FuseFileInfo info)
    {
        if (!r.TryBeginReply()) return false;
        ulong ino = Inodes.Remember(path);
        var handle = new FileHandle(ino, file);
        info.Fh = _files.Add(handle);
        Inodes.AttachHandle(ino, handle);
        var param = EntryParam(ino, attributes);
        bool delivered = LibFuse.ReplyCreate(r.Handle, &param, &info) == 0;
        if (!delivered)
        {
            _files.TryRemove(info.Fh, out _);
            Inodes.DetachHandle(ino, handle);
            Inodes.Forget(ino, 1);
        }
        Finish(r, 0);
        return delivered;
    }

    private unsafe bool ReplyOpen(FuseRequest r, ulong ino, IVfsFile file, FuseFileInfo info)
    {
        if (!r.TryBeginReply()) return false;
        var handle = new FileHandle(ino, file);
        info.Fh = _files.Add(handle);
        Inodes.AttachHandle(ino, handle);
        bool delivered = LibFuse.ReplyOpen(r.Handle, &info) == 0;
        if (!delivered)
        {
            _files.TryRemove(info.Fh, out _);
            Inodes.DetachHandle(ino, handle);
        }
        Finish(r, 0);
        return delivered;
    }

    private unsafe void ReplyAttr(FuseRequest r, ulong ino, VfsAttributes attributes)
    {
        if (!r.TryBeginReply()) return;
        var stat = _stats.ToStat(ino, attributes);
        LibFuse.ReplyAttr(r.Handle, &stat, _attrTimeout);
        Finish(r, 0);
    }

    private unsafe void ReplyReadlink(FuseRequest r, string target)
    {
        if (!r.TryBeginReply()) return;
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(target) + 1];
        Encoding.UTF8.GetBytes(target, bytes);
        fixed (byte* text = bytes) LibFuse.ReplyReadlink(r.Handle, text);
        Finish(r, 0);
    }

    private unsafe void ReplyBuffer(FuseRequest r, byte[] buffer, int length)
    {
        if (!r.TryBeginReply()) return;
        fixed (byte* data = buffer) LibFuse.ReplyBuf(r.Handle, data, (nuint)length);
        Finish(r, 0, length);
    }

    private void ReplyWrite(FuseRequest r, int count)
    {
        if (!r.TryBeginReply()) return;
        LibFuse.ReplyWrite(r.Handle, (nuint)count);
        Finish(r, 0, count);
    }

    private unsafe void ReplyStatFs(FuseRequest r, VfsStatFs statFs)
    {
        if (!r.TryBeginReply()) return;
        var native = new StatVfs
        {
            BlockSize = (ulong)statFs.BlockSize,
            FragmentSize = (ulong)statFs.BlockSize,
            Blocks = (ulong)statFs.TotalBlocks,
            BlocksFree = (ulong)statFs.FreeBlocks,
            BlocksAvailable = (ulong)statFs.AvailableBlocks,
            Files = (ulong)statFs.TotalFiles,
            FilesFree = (ulong)statFs.FreeFiles,
            FilesAvailable = (ulong)statFs.FreeFiles,
            NameMax = (ulong)statFs.MaxNameLength,
        };
        LibFuse.ReplyStatfs(r.Handle, &native);
        Finish(r, 0);
    }

    public void ReplyError(FuseRequest r, int errno)
    {
        if (!r.TryBeginReply()) return;
        LibFuse.ReplyErr(r.Handle, errno);
        Finish(r, errno);
    }

    private void Fail(FuseRequest r, Exception exception)
    {
        if (r.Replied)
        {
            // Failed after its answer went out (e.g. while cleaning up): the kernel has its reply; only log.
            _options.Log($"vfs: {r.Op} {r.Subject}: error after the reply: {exception.GetType().Name}: {exception.Message}");
            return;
        }
        ReplyError(r, FuseErrors.ToErrno(exception, r.Op, r.Subject ?? "", _options.Log));
    }

    private void Finish(FuseRequest r, int errno, int bytes = -1)
    {
        if (_options.Debug)
        {
            var micros = Stopwatch.GetElapsedTime(r.StartTimestamp).TotalMicroseconds;
            string result = errno == 0 ? (bytes >= 0 ? $"{bytes} bytes" : "ok") : ((Errno)errno).ToString();
            _options.Log($"fuse: {r.Op} {r.Subject} -> {result} ({micros:F0} us)");
        }
        r.End();
    }
}
