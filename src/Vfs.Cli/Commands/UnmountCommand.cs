using System.CommandLine;
using Vfs.Cli.Mounting;
using Vfs.Fuse;

namespace Vfs.Cli.Commands;

/// <summary>`vfs unmount MOUNTPOINT [--lazy]`: unmounts, then waits while the serving process uploads what is pending and exits.</summary>
public static class UnmountCommand
{
    private static readonly Argument<string> MountPoint = new("MOUNTPOINT") { Description = "Where the store is mounted." };

    private static readonly Option<bool> Lazy = new("--lazy", "-z")
    {
        Description = "Detach now even if busy; the mount is served until its last file is closed.",
    };

    public static Command Create()
    {
        var command = new Command("unmount", "Unmount a mount made by vfs mount.");
        command.Arguments.Add(MountPoint);
        command.Options.Add(Lazy);
        command.SetAction(parse => Run(Path.GetFullPath(parse.GetRequiredValue(MountPoint)), parse.GetValue(Lazy)));
        return command;
    }

    private static int Run(string mountPoint, bool lazy)
    {
        string? type = MountTable.TypeAt(mountPoint);
        if (type is null) throw new CliException($"{mountPoint} is not mounted");
        if (!type.StartsWith("fuse", StringComparison.Ordinal))
            throw new CliException($"{mountPoint} is not a FUSE mount (it is {type}); use umount");
        var server = MountStateFile.Read(mountPoint);
        if (!MountTable.Unmount(mountPoint, lazy, line => Console.Error.WriteLine(line)))
            throw new CliException($"{mountPoint} stays mounted" + (lazy ? "" : " (busy? close its files, or use --lazy)"));
        MountPointChecks.WaitUntilUnmounted(mountPoint, TimeSpan.FromSeconds(10));
        // The serving process uploads what is still pending after the kernel lets go: wait for it, showing its progress.
        if (server is { Pid: var pid } && !lazy) DrainWatcher.WaitForExit(mountPoint, pid, line => Console.Error.WriteLine(line));
        return 0;
    }
}
