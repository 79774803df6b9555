using System.Runtime.InteropServices;

namespace Vfs.Fuse.Native;

// Blittable mirrors of the libfuse3 3.14 / glibc x86-64 structs the adapter reads or fills. Sizes and offsets
// are asserted against the installed headers by tests/Vfs.Fuse.Tests/Native/StructLayoutTests.cs (a C probe).

/// <summary>struct fuse_args (fuse_opt.h): 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseArgs
{
    public int Argc;
    public byte** Argv;
    public int Allocated;
}

/// <summary>struct timespec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary>struct stat (glibc x86-64): 144 bytes, st_size at 48, st_mtim at 88.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Stat
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public int Padding0;
    public ulong Rdev;
    public long Size;
    public long BlockSize;
    public long Blocks;
    public TimeSpec Atime;
    public TimeSpec Mtime;
    public TimeSpec Ctime;
    public long Reserved0;
    public long Reserved1;
    public long Reserved2;
}

/// <summary>struct statvfs (glibc x86-64): 112 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct StatVfs
{
    public ulong BlockSize;
    public ulong FragmentSize;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public ulong FilesAvailable;
    public ulong FsId;
    public ulong Flags;
    public ulong NameMax;
    public fixed int Spare[6];
}

/// <summary>struct fuse_entry_param: 176 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryParam
{
    public ulong Ino;
    public ulong Generation;
    public Stat Attr;
    public double AttrTimeout;
    public double EntryTimeout;
}

/// <summary>struct fuse_file_info: 40 bytes; the bit-field word at offset 4 holds the kernel cache hints.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFileInfo
{
    public int Flags;
    public uint BitFields;
    public uint BitFields2;
    public uint Padding;
    public ulong Fh;
    public ulong LockOwner;
    public uint PollEvents;
    public uint Padding2;

    public const uint DirectIoBit = 1u << 1;
    public const uint KeepCacheBit = 1u << 2;
    public const uint FlushBit = 1u << 3;
    public const uint NonSeekableBit = 1u << 4;
    public const uint CacheReaddirBit = 1u << 6;
}

/// <summary>struct fuse_ctx: the caller of a request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseContext
{
    public uint Uid;
    public uint Gid;
    public int Pid;
    public uint Umask;
}

/// <summary>struct fuse_conn_info: 128 bytes; the adapter sets want, max_write and max_readahead in init.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseConnInfo
{
    public uint ProtoMajor;
    public uint ProtoMinor;
    public uint MaxWrite;
    public uint MaxRead;
    public uint MaxReadahead;
    public uint Capable;
    public uint Want;
    public uint MaxBackground;
    public uint CongestionThreshold;
    public uint TimeGran;
    public fixed uint Reserved[22];
}

/// <summary>struct fuse_forget_data: one entry of a BATCH_FORGET.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetData
{
    public ulong Ino;
    public ulong Nlookup;
}

/// <summary>FUSE_CAP_* (fuse_common.h).</summary>
internal static class FuseCapabilities
{
    public const uint AsyncRead = 1u << 0;
    public const uint AtomicOTrunc = 1u << 3;
    public const uint DontMask = 1u << 6;
    public const uint SpliceWrite = 1u << 7;
    public const uint SpliceMove = 1u << 8;
    public const uint SpliceRead = 1u << 9;
    public const uint AutoInvalData = 1u << 12;
    public const uint ReaddirPlus = 1u << 13;
    public const uint ReaddirPlusAuto = 1u << 14;
    public const uint AsyncDio = 1u << 15;
    public const uint WritebackCache = 1u << 16;
    public const uint ParallelDirops = 1u << 18;
}

/// <summary>FUSE_SET_ATTR_* (fuse_lowlevel.h): which fields a setattr changes.</summary>
internal static class FuseSetAttr
{
    public const int Mode = 1 << 0;
    public const int Uid = 1 << 1;
    public const int Gid = 1 << 2;
    public const int Size = 1 << 3;
    public const int Atime = 1 << 4;
    public const int Mtime = 1 << 5;
    public const int AtimeNow = 1 << 7;
    public const int MtimeNow = 1 << 8;
}
