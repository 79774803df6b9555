using System.Globalization;
using Vfs.Cache.Content;

namespace Vfs.Cli.Mounting;

/// <summary>
/// Shows the content cache's drain at unmount and SIGTERM as lines "vfs: uploading before exit: 3/10 files, 12.0/40.0 MiB",
/// at most one a second plus the first and the last, on standard error and in the mount's state file (which
/// `vfs unmount` follows). Nothing is shown when nothing was pending.
/// </summary>
public sealed class DrainProgressPrinter(Action<string> write) : IProgress<ContentCacheDrainProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private DateTime _last = DateTime.MinValue;

    public void Report(ContentCacheDrainProgress value)
    {
        if (value.ObjectsTotal == 0) return;
        bool last = value.ObjectsDone + value.ObjectsFailed == value.ObjectsTotal;
        string line;
        lock (_lock)
        {
            var now = DateTime.UtcNow;
            if (!last && value.ObjectsDone + value.ObjectsFailed > 0 && now - _last < Interval) return;
            _last = now;
            line = string.Create(CultureInfo.InvariantCulture,
                       $"vfs: uploading before exit: {value.ObjectsDone}/{value.ObjectsTotal} files, {value.BytesDone / 1048576.0:F1}/{value.BytesTotal / 1048576.0:F1} MiB")
                   + (value.ObjectsFailed > 0 ? $", {value.ObjectsFailed} failed (kept in the cache for the next mount)" : "")
                   + (last ? ", done" : "");
        }
        write(line);
        MountStateFile.Current?.Report(line);
    }
}
