using Vfs.Abstractions;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>VfsAttributes to struct stat and back for times, with the mount's display overrides (--uid, --file-mode...).</summary>
internal sealed class StatConverter(FuseMountOptions options)
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFLNK = 0xA000;

    /// <summary>st_blksize: tools such as cp size their buffers by it; 128 KiB keeps FUSE requests large.</summary>
    public const long PreferredIoSize = 128 * 1024;

    private const long UnixEpochTicks = 621_355_968_000_000_000;

    public Stat ToStat(ulong ino, VfsAttributes attributes)
    {
        var stat = default(Stat);
        stat.Ino = ino;
        stat.Mode = attributes.Kind switch
        {
            VfsEntryKind.Directory => S_IFDIR | (uint)(options.DirMode ?? attributes.Mode),
            VfsEntryKind.Symlink => S_IFLNK | 0x1FF, // 0777: a symlink's own mode means nothing on Linux
            _ => S_IFREG | (uint)(options.FileMode ?? attributes.Mode),
        };
        stat.Nlink = attributes.IsDirectory ? 2UL : 1UL;
        stat.Uid = options.Uid ?? attributes.Uid;
        stat.Gid = options.Gid ?? attributes.Gid;
        stat.Size = attributes.Size;
        stat.BlockSize = PreferredIoSize;
        stat.Blocks = (attributes.Size + 511) / 512;
        stat.Atime = ToTimeSpec(attributes.AccessTime);
        stat.Mtime = ToTimeSpec(attributes.ModifiedTime);
        stat.Ctime = ToTimeSpec(attributes.ChangeTime);
        return stat;
    }

    public static TimeSpec ToTimeSpec(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - UnixEpochTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new TimeSpec { Seconds = seconds, Nanoseconds = rest * 100 };
    }

    public static DateTimeOffset FromTimeSpec(TimeSpec time) =>
        new(UnixEpochTicks + time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100, TimeSpan.Zero);
}
