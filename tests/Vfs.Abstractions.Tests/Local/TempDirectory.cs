namespace Vfs.Abstractions.Tests.Local;

/// <summary>
/// A fresh directory under the system temp dir, removed on dispose without following any symlink in it (the hostile
/// tests plant links to /etc; a delete that followed them would be a disaster).
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "localvfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => DeleteWithoutFollowing(new DirectoryInfo(Path));

    private static void DeleteWithoutFollowing(DirectoryInfo directory)
    {
        if (!directory.Exists) return;
        foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false }))
        {
            if (entry.LinkTarget is not null || entry is FileInfo) entry.Delete();
            else DeleteWithoutFollowing((DirectoryInfo)entry);
        }
        directory.Delete();
    }
}
