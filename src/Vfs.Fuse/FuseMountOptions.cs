namespace Vfs.Fuse;

/// <summary>How a store is mounted. Defaults are documented on each property; <see cref="Validate"/> runs at start.</summary>
public sealed record FuseMountOptions
{
    /// <summary>Largest write the kernel sends in one request (1 MiB: FUSE's max_pages limit of 256 pages).</summary>
    public const int MaxWrite = 1 << 20;

    /// <summary>Let users other than the mounting one use the mount (mount option allow_other). Default false.
    /// It implies <see cref="DefaultPermissions"/>: the stores keep modes but never check them.</summary>
    public bool AllowOther { get; init; }

    /// <summary>The kernel checks permission bits against the caller (mount option default_permissions). Default false.</summary>
    public bool DefaultPermissions { get; init; }

    /// <summary>Mount read-only: the kernel refuses changes, and the adapter answers EROFS too. Default false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Report every entry as owned by this uid (the store's owner is not shown). Default null: the store's.</summary>
    public uint? Uid { get; init; }

    /// <summary>Report every entry as owned by this gid. Default null: the store's.</summary>
    public uint? Gid { get; init; }

    /// <summary>Report these permission bits (0-07777) for every file and symlink target. Default null: the store's.</summary>
    public int? FileMode { get; init; }

    /// <summary>Report these permission bits (0-07777) for every directory. Default null: the store's.</summary>
    public int? DirMode { get; init; }

    /// <summary>How long the kernel may trust a name lookup, positive or negative. Default 1 s.</summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the kernel may trust attributes. Default 1 s.</summary>
    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Kernel read-ahead for the mount in KiB (its backing device's read_ahead_kb, set after mounting when this process
    /// may). The kernel's default of 128 KiB splits sequential reads into 128 KiB requests; 1024 lets one request
    /// carry 1 MiB, and 4096 keeps about four such requests of one stream in flight at once (cold reads about 3x
    /// faster than with 1024; see docs/FUSE.md). Default 4096; 0 keeps the kernel's default.
    /// </summary>
    public int ReadAheadKiB { get; init; } = 4096;

    /// <summary>Log one line per FUSE operation with its result and latency. Default false.</summary>
    public bool Debug { get; init; }

    /// <summary>Most libfuse worker threads (callbacks return at once, so few are needed). Default 16, 1 to 256.</summary>
    public int MaxThreads { get; init; } = 16;

    /// <summary>Shown as the source by mount(8) and df(1). Default "layeredvfs". No commas or spaces.</summary>
    public string FsName { get; init; } = "layeredvfs";

    /// <summary>The type is shown as fuse.SUBTYPE. Default "layeredvfs".</summary>
    public string Subtype { get; init; } = "layeredvfs";

    /// <summary>Where log lines go. Default: standard error.</summary>
    public Action<string> Log { get; init; } = static line => Console.Error.WriteLine(line);

    /// <summary>Clock for UTIME_NOW and debug latencies.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws ArgumentException for a value out of its range.</summary>
    public void Validate()
    {
        CheckTimeout(EntryTimeout, nameof(EntryTimeout));
        CheckTimeout(AttrTimeout, nameof(AttrTimeout));
        CheckMode(FileMode, nameof(FileMode));
        CheckMode(DirMode, nameof(DirMode));
        if (ReadAheadKiB is < 0 or > 65536) throw new ArgumentException($"{nameof(ReadAheadKiB)} must be 0 to 65536, not {ReadAheadKiB}");
        if (MaxThreads is < 1 or > 256) throw new ArgumentException($"{nameof(MaxThreads)} must be 1 to 256, not {MaxThreads}");
        CheckName(FsName, nameof(FsName));
        CheckName(Subtype, nameof(Subtype));
    }

    private static void CheckTimeout(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value > TimeSpan.FromDays(1)) throw new ArgumentException($"{name} must be 0 to 1 day, not {value}");
    }

    private static void CheckMode(int? mode, string name)
    {
        if (mode is < 0 or > 0xFFF) throw new ArgumentException($"{name} must be an octal mode 0 to 7777");
    }

    private static void CheckName(string value, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Any(c => c is ',' or ' ' or '\\' or '=' || char.IsControl(c)))
            throw new ArgumentException($"{name} must be a non-empty word without commas, spaces or '='");
    }
}
