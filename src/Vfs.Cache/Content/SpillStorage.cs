using Microsoft.Win32.SafeHandles;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>Where spill files live. One file per cached object version, named by the object's id, never by its path.</summary>
public interface ISpillStorage
{
    /// <summary>Opens (creating if missing) the spill file of object <paramref name="id"/>.</summary>
    ISpillFile Open(long id);

    /// <summary>Deletes the spill file of object <paramref name="id"/>; a missing file is not an error.</summary>
    void Delete(long id);
}

/// <summary>
/// One open spill file: positional reads and writes, sparse (never-written ranges read as zeros). IO errors
/// come out as <see cref="IOException"/>; <see cref="SpillErrors"/> turns them into errnos.
/// </summary>
public interface ISpillFile : IDisposable
{
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; fewer only at the file's end.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Shrinks (dropping data) or extends (with a hole that reads as zeros).</summary>
    void SetLength(long length);
}

/// <summary>Spill files in <c>CACHE_DIR/spill/ID</c>.</summary>
public sealed class DirectorySpillStorage : ISpillStorage
{
    private readonly string _directory;

    public DirectorySpillStorage(string cacheDirectory)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the content cache runs on Linux");
        _directory = Path.Combine(cacheDirectory, "spill");
        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <remarks>The files get the default mode; the cache directory's 0700 is what keeps others out.</remarks>
    public ISpillFile Open(long id) =>
        new LocalSpillFile(File.OpenHandle(PathOf(id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous));

    public void Delete(long id) => File.Delete(PathOf(id));

    private string PathOf(long id) => Path.Combine(_directory, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private sealed class LocalSpillFile(SafeFileHandle handle) : ISpillFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
            RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken);

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            RandomAccess.WriteAsync(handle, data, offset, cancellationToken);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Dispose() => handle.Dispose();
    }
}

/// <summary>Local-disk errors at the cache's edge: a full disk is ENOSPC for the writer, anything else EIO.</summary>
public static class SpillErrors
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    public static bool IsDiskFull(IOException ex) => ex.HResult is ENOSPC or EDQUOT or WindowsDiskFull;

    public static VfsException Translate(IOException ex, string what) =>
        IsDiskFull(ex)
            ? new VfsException(Errno.ENOSPC, $"{what}: cache disk full", ex)
            : new VfsException(Errno.EIO, $"{what}: {ex.Message}", ex);
}
