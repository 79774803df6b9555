// The vfs command. Until the FUSE adapter lands it only prints its usage.
Console.Error.WriteLine("usage: vfs mount SOURCE MOUNTPOINT [options] | vfs unmount MOUNTPOINT | vfs cache stats");
Console.Error.WriteLine("vfs: mounting is not implemented yet (see the README)");
return 2;
