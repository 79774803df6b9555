using System.Diagnostics;
using System.Runtime.InteropServices;
using Vfs.Fuse.Native;

namespace Vfs.Fuse.Tests.Native;

/// <summary>
/// The binding's structs against the installed libfuse3 headers: a small C program prints sizeof/offsetof of
/// every field the adapter reads or fills, and each must equal the managed layout.
/// </summary>
public sealed class StructLayoutTests
{
    private const string Probe = """
        #define FUSE_USE_VERSION 314
        #include <fuse_lowlevel.h>
        #include <sys/statvfs.h>
        #include <stddef.h>
        #include <stdio.h>
        #define P(name, value) printf("%s %zu\n", name, (size_t)(value))
        int main(void) {
          P("stat", sizeof(struct stat));
          P("stat.st_ino", offsetof(struct stat, st_ino));
          P("stat.st_nlink", offsetof(struct stat, st_nlink));
          P("stat.st_mode", offsetof(struct stat, st_mode));
          P("stat.st_uid", offsetof(struct stat, st_uid));
          P("stat.st_gid", offsetof(struct stat, st_gid));
          P("stat.st_size", offsetof(struct stat, st_size));
          P("stat.st_blksize", offsetof(struct stat, st_blksize));
          P("stat.st_blocks", offsetof(struct stat, st_blocks));
          P("stat.st_atim", offsetof(struct stat, st_atim));
          P("stat.st_mtim", offsetof(struct stat, st_mtim));
          P("stat.st_ctim", offsetof(struct stat, st_ctim));
          P("statvfs", sizeof(struct statvfs));
          P("statvfs.f_bavail", offsetof(struct statvfs, f_bavail));
          P("statvfs.f_files", offsetof(struct statvfs, f_files));
          P("statvfs.f_namemax", offsetof(struct statvfs, f_namemax));
          P("fuse_entry_param", sizeof(struct fuse_entry_param));
          P("fuse_entry_param.attr", offsetof(struct fuse_entry_param, attr));
          P("fuse_entry_param.attr_timeout", offsetof(struct fuse_entry_param, attr_timeout));
          P("fuse_entry_param.entry_timeout", offsetof(struct fuse_entry_param, entry_timeout));
          P("fuse_file_info", sizeof(struct fuse_file_info));
          P("fuse_file_info.fh", offsetof(struct fuse_file_info, fh));
          P("fuse_file_info.lock_owner", offsetof(struct fuse_file_info, lock_owner));
          P("fuse_file_info.poll_events", offsetof(struct fuse_file_info, poll_events));
          struct fuse_file_info fi = {0}; fi.direct_io = 1; P("fuse_file_info.direct_io_word", ((unsigned*)&fi)[1]);
          fi.direct_io = 0; fi.keep_cache = 1; P("fuse_file_info.keep_cache_word", ((unsigned*)&fi)[1]);
          fi.keep_cache = 0; fi.cache_readdir = 1; P("fuse_file_info.cache_readdir_word", ((unsigned*)&fi)[1]);
          P("fuse_args", sizeof(struct fuse_args));
          P("fuse_args.argv", offsetof(struct fuse_args, argv));
          P("fuse_args.allocated", offsetof(struct fuse_args, allocated));
          P("fuse_ctx", sizeof(struct fuse_ctx));
          P("fuse_ctx.umask", offsetof(struct fuse_ctx, umask));
          P("fuse_conn_info", sizeof(struct fuse_conn_info));
          P("fuse_conn_info.max_write", offsetof(struct fuse_conn_info, max_write));
          P("fuse_conn_info.max_readahead", offsetof(struct fuse_conn_info, max_readahead));
          P("fuse_conn_info.capable", offsetof(struct fuse_conn_info, capable));
          P("fuse_conn_info.want", offsetof(struct fuse_conn_info, want));
          P("fuse_conn_info.time_gran", offsetof(struct fuse_conn_info, time_gran));
          P("fuse_forget_data", sizeof(struct fuse_forget_data));
          P("fuse_lowlevel_ops", sizeof(struct fuse_lowlevel_ops));
          P("ops.lookup", offsetof(struct fuse_lowlevel_ops, lookup));
          P("ops.statfs", offsetof(struct fuse_lowlevel_ops, statfs));
          P("ops.access", offsetof(struct fuse_lowlevel_ops, access));
          P("ops.create", offsetof(struct fuse_lowlevel_ops, create));
          P("ops.forget_multi", offsetof(struct fuse_lowlevel_ops, forget_multi));
          P("ops.readdirplus", offsetof(struct fuse_lowlevel_ops, readdirplus));
          P("FUSE_CAP_ASYNC_READ", FUSE_CAP_ASYNC_READ);
          P("FUSE_CAP_ATOMIC_O_TRUNC", FUSE_CAP_ATOMIC_O_TRUNC);
          P("FUSE_CAP_READDIRPLUS", FUSE_CAP_READDIRPLUS);
          P("FUSE_CAP_PARALLEL_DIROPS", FUSE_CAP_PARALLEL_DIROPS);
          P("FUSE_SET_ATTR_MTIME_NOW", FUSE_SET_ATTR_MTIME_NOW);
          return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, long>> Facts = new(CompileAndRunProbe);

    public static TheoryData<string, long> Expected() => new()
    {
        { "stat", Marshal.SizeOf<Stat>() },
        { "stat.st_ino", Offset<Stat>(nameof(Stat.Ino)) },
        { "stat.st_nlink", Offset<Stat>(nameof(Stat.Nlink)) },
        { "stat.st_mode", Offset<Stat>(nameof(Stat.Mode)) },
        { "stat.st_uid", Offset<Stat>(nameof(Stat.Uid)) },
        { "stat.st_gid", Offset<Stat>(nameof(Stat.Gid)) },
        { "stat.st_size", Offset<Stat>(nameof(Stat.Size)) },
        { "stat.st_blksize", Offset<Stat>(nameof(Stat.BlockSize)) },
        { "stat.st_blocks", Offset<Stat>(nameof(Stat.Blocks)) },
        { "stat.st_atim", Offset<Stat>(nameof(Stat.Atime)) },
        { "stat.st_mtim", Offset<Stat>(nameof(Stat.Mtime)) },
        { "stat.st_ctim", Offset<Stat>(nameof(Stat.Ctime)) },
        { "statvfs", Marshal.SizeOf<StatVfs>() },
        { "statvfs.f_bavail", Offset<StatVfs>(nameof(StatVfs.BlocksAvailable)) },
        { "statvfs.f_files", Offset<StatVfs>(nameof(StatVfs.Files)) },
        { "statvfs.f_namemax", Offset<StatVfs>(nameof(StatVfs.NameMax)) },
        { "fuse_entry_param", Marshal.SizeOf<FuseEntryParam>() },
        { "fuse_entry_param.attr", Offset<FuseEntryParam>(nameof(FuseEntryParam.Attr)) },
        { "fuse_entry_param.attr_timeout", Offset<FuseEntryParam>(nameof(FuseEntryParam.AttrTimeout)) },
        { "fuse_entry_param.entry_timeout", Offset<FuseEntryParam>(nameof(FuseEntryParam.EntryTimeout)) },
        { "fuse_file_info", Marshal.SizeOf<FuseFileInfo>() },
        { "fuse_file_info.fh", Offset<FuseFileInfo>(nameof(FuseFileInfo.Fh)) },
        { "fuse_file_info.lock_owner", Offset<FuseFileInfo>(nameof(FuseFileInfo.LockOwner)) },
        { "fuse_file_info.poll_events", Offset<FuseFileInfo>(nameof(FuseFileInfo.PollEvents)) },
        { "fuse_file_info.direct_io_word", FuseFileInfo.DirectIoBit },
        { "fuse_file_info.keep_cache_word", FuseFileInfo.KeepCacheBit },
        { "fuse_file_info.cache_readdir_word", FuseFileInfo.CacheReaddirBit },
        { "fuse_args", Marshal.SizeOf<FuseArgs>() },
        { "fuse_args.argv", Offset<FuseArgs>(nameof(FuseArgs.Argv)) },
        { "fuse_args.allocated", Offset<FuseArgs>(nameof(FuseArgs.Allocated)) },
        { "fuse_ctx", Marshal.SizeOf<FuseContext>() },
        { "fuse_ctx.umask", Offset<FuseContext>(nameof(FuseContext.Umask)) },
        { "fuse_conn_info", Marshal.SizeOf<FuseConnInfo>() },
        { "fuse_conn_info.max_write", Offset<FuseConnInfo>(nameof(FuseConnInfo.MaxWrite)) },
        { "fuse_conn_info.max_readahead", Offset<FuseConnInfo>(nameof(FuseConnInfo.MaxReadahead)) },
        { "fuse_conn_info.capable", Offset<FuseConnInfo>(nameof(FuseConnInfo.Capable)) },
        { "fuse_conn_info.want", Offset<FuseConnInfo>(nameof(FuseConnInfo.Want)) },
        { "fuse_conn_info.time_gran", Offset<FuseConnInfo>(nameof(FuseConnInfo.TimeGran)) },
        { "fuse_forget_data", Marshal.SizeOf<FuseForgetData>() },
        { "fuse_lowlevel_ops", Marshal.SizeOf<FuseLowLevelOps>() },
        { "ops.lookup", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.Lookup)) },
        { "ops.statfs", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.StatFs)) },
        { "ops.access", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.Access)) },
        { "ops.create", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.Create)) },
        { "ops.forget_multi", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.ForgetMulti)) },
        { "ops.readdirplus", Offset<FuseLowLevelOps>(nameof(FuseLowLevelOps.ReadDirPlus)) },
        { "FUSE_CAP_ASYNC_READ", FuseCapabilities.AsyncRead },
        { "FUSE_CAP_ATOMIC_O_TRUNC", FuseCapabilities.AtomicOTrunc },
        { "FUSE_CAP_READDIRPLUS", FuseCapabilities.ReaddirPlus },
        { "FUSE_CAP_PARALLEL_DIROPS", FuseCapabilities.ParallelDirops },
        { "FUSE_SET_ATTR_MTIME_NOW", FuseSetAttr.MtimeNow },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Layout_ManagedMirror_MatchesInstalledHeaders(string fact, long managed)
    {
        Assert.True(Facts.Value.TryGetValue(fact, out long native), $"the probe did not print {fact}");
        Assert.Equal(native, managed);
    }

    private static long Offset<T>(string field) => Marshal.OffsetOf<T>(field).ToInt64();

    private static Dictionary<string, long> CompileAndRunProbe()
    {
        string dir = Directory.CreateTempSubdirectory("fuse-layout-").FullName;
        try
        {
            string source = Path.Combine(dir, "probe.c");
            string binary = Path.Combine(dir, "probe");
            File.WriteAllText(source, Probe);
            Run("gcc", ["-I/usr/include/fuse3", "-o", binary, source]);
            return Run(binary, [])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {error}");
        return output;
    }
}
