namespace Vfs.Abstractions;

/// <summary>How a file is opened (the open(2) flags that matter to a store).</summary>
[Flags]
public enum VfsOpenFlags
{
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,

    /// <summary>O_CREAT: create the file if missing.</summary>
    Create = 4,

    /// <summary>O_EXCL with O_CREAT: EEXIST if it exists.</summary>
    Exclusive = 8,

    /// <summary>O_TRUNC: empty the file at open.</summary>
    Truncate = 16,

    /// <summary>O_APPEND: every write goes to the current end, whatever offset it names.</summary>
    Append = 32,
}

/// <summary>renameat2(2) flags; values match Linux's RENAME_NOREPLACE and RENAME_EXCHANGE.</summary>
[Flags]
public enum VfsRenameFlags
{
    None = 0,
    NoReplace = 1,
    Exchange = 2,
}

/// <summary>
/// What a layer can do. A decorator combines its own with its inner layer's; a request a stack cannot serve
/// fails with a clear errno (ENOTSUP, EINVAL), never with silently wrong data.
/// </summary>
[Flags]
public enum VfsCapabilities
{
    None = 0,

    /// <summary>Writes at any offset of an open file, including into existing content.</summary>
    RandomWrite = 1 << 0,

    /// <summary>Opening an existing file for writing without O_TRUNC and adding at its end.</summary>
    Append = 1 << 1,

    /// <summary>Truncating or extending an existing file to any size.</summary>
    Truncate = 1 << 2,

    Symlinks = 1 << 3,

    /// <summary>Mode, uid and gid are stored and returned.</summary>
    Permissions = 1 << 4,

    /// <summary>Modification and access times can be set.</summary>
    SetTimes = 1 << 5,

    /// <summary>A directory can exist with nothing in it.</summary>
    EmptyDirectories = 1 << 6,

    /// <summary>rename(2) of a directory is atomic (otherwise it is per-entry copy and delete).</summary>
    AtomicDirectoryRename = 1 << 7,

    RenameNoReplace = 1 << 8,

    RenameExchange = 1 << 9,

    /// <summary>Everything a POSIX filesystem offers through this contract.</summary>
    Posix = RandomWrite | Append | Truncate | Symlinks | Permissions | SetTimes | EmptyDirectories
            | AtomicDirectoryRename | RenameNoReplace | RenameExchange,
}
