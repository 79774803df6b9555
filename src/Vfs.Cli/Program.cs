using Vfs.Cli;
using Vfs.Cli.Commands;

// The vfs command: `vfs mount SOURCE MOUNTPOINT [options]`, `vfs unmount MOUNTPOINT`.
// Every user error is one line "vfs: ..." on standard error and a non-zero exit; never a stack trace.
return await VfsCommand.RunAsync(args);
