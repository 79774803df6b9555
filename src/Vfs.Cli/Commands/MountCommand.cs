using System.CommandLine;
using Vfs.Cli.Mounting;
using Vfs.Cli.Sources;
using Vfs.Fuse;

namespace Vfs.Cli.Commands;

/// <summary>`vfs mount SOURCE MOUNTPOINT [options]`: the adapter's options here, each source's and layer's in their own files.</summary>
public static class MountCommand
{
    private static readonly Option<bool> AllowOther = new("--allow-other")
    {
        Description = "Let other users use the mount (implies --default-permissions).",
    };

    private static readonly Option<bool> DefaultPermissions = new("--default-permissions")
    {
        Description = "Let the kernel check permission bits against the caller.",
    };

    private static readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount read-only." };

    private static readonly Option<uint?> Uid = new("--uid") { Description = "Show every entry as owned by this uid (default: as stored)." };

    private static readonly Option<uint?> Gid = new("--gid") { Description = "Show every entry as owned by this gid (default: as stored)." };

    private static readonly Option<string?> FileMode = new("--file-mode")
    {
        Description = "Show every file with these octal permission bits, e.g. 644 (default: as stored).",
    };

    private static readonly Option<string?> DirMode = new("--dir-mode")
    {
        Description = "Show every directory with these octal permission bits, e.g. 755 (default: as stored).",
    };

    private static readonly Option<string> EntryTimeout = new("--entry-timeout")
    {
        Description = "How long the kernel caches names, found or not (e.g. 1, 0.5s, 250ms).",
        DefaultValueFactory = _ => "1s",
    };

    private static readonly Option<string> AttrTimeout = new("--attr-timeout")
    {
        Description = "How long the kernel caches attributes.",
        DefaultValueFactory = _ => "1s",
    };

    private static readonly Option<bool> Debug = new("--debug") { Description = "Log one line per FUSE operation with its latency." };

    private static readonly Option<bool> Daemon = new("--daemon")
    {
        Description = "Run in the background; return once the mount answers.",
    };

    private static readonly Argument<string> Source = new("SOURCE")
    {
        Description = "What to mount: local:PATH, memory: (and the kinds listed in the README).",
    };

    private static readonly Argument<string> MountPoint = new("MOUNTPOINT") { Description = "An existing directory." };

    public static Command Create(SourceRegistry sources, MountLayers layers)
    {
        var command = new Command("mount", "Mount SOURCE at MOUNTPOINT; runs until unmounted or interrupted (Ctrl-C).");
        command.Arguments.Add(Source);
        command.Arguments.Add(MountPoint);
        foreach (var option in new Option[]
                 {
                     AllowOther, DefaultPermissions, ReadOnly, Uid, Gid, FileMode, DirMode, EntryTimeout, AttrTimeout, Debug, Daemon,
                 })
        {
            command.Options.Add(option);
        }
        MountLog.AddOptions(command);
        foreach (var source in sources.Sources) source.AddOptions(command);
        foreach (var layer in layers.Layers) layer.AddOptions(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, sources, layers, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, SourceRegistry sources, MountLayers layers, CancellationToken cancellationToken)
    {
        string source = parse.GetRequiredValue(Source);
        string mountPoint = Path.GetFullPath(parse.GetRequiredValue(MountPoint));
        MountLog.Configure(parse, parse.GetValue(Debug));
        var options = ReadOptions(parse);
        var kind = sources.Find(source);
        if (DaemonLauncher.IsDaemonChild) DaemonLauncher.DetachFromParent();
        MountPointChecks.Prepare(mountPoint, options.Log);

        if (parse.GetValue(Daemon) && !DaemonLauncher.IsDaemonChild)
            return await DaemonLauncher.StartAsync(mountPoint, options.Subtype, cancellationToken).ConfigureAwait(false);

        using var state = MountStateFile.Create(mountPoint);
        var store = await kind.OpenAsync(source, parse, cancellationToken).ConfigureAwait(false);
        var stack = await layers.ComposeAsync(store, parse, cancellationToken).ConfigureAwait(false);
        options = layers.AdjustMountOptions(options);
        int exitCode = await ForegroundMount.RunAsync(stack, source, mountPoint, options, layers.Attach).ConfigureAwait(false);
        if (exitCode == 0 && !options.Debug) DaemonLauncher.RemoveLog();
        return exitCode;
    }

    private static FuseMountOptions ReadOptions(ParseResult parse)
    {
        var options = new FuseMountOptions
        {
            AllowOther = parse.GetValue(AllowOther),
            DefaultPermissions = parse.GetValue(DefaultPermissions),
            ReadOnly = parse.GetValue(ReadOnly),
            Uid = parse.GetValue(Uid),
            Gid = parse.GetValue(Gid),
            FileMode = parse.GetValue(FileMode) is { } fileMode ? OptionValues.ParseMode(fileMode, "--file-mode") : null,
            DirMode = parse.GetValue(DirMode) is { } dirMode ? OptionValues.ParseMode(dirMode, "--dir-mode") : null,
            EntryTimeout = OptionValues.ParseDuration(parse.GetValue(EntryTimeout)!, "--entry-timeout"),
            AttrTimeout = OptionValues.ParseDuration(parse.GetValue(AttrTimeout)!, "--attr-timeout"),
            Debug = MountLog.Level <= Microsoft.Extensions.Logging.LogLevel.Debug,
            Log = MountLog.WriteMountLine,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, VfsCommand.UsageExitCode);
        }
        return options;
    }
}
