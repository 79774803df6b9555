namespace Vfs.Fuse;

/// <summary>libfuse refused to set up or mount the session; the message is one line for the user.</summary>
public sealed class FuseMountException(string message) : Exception(message);
