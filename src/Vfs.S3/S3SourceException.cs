namespace Vfs.S3;

/// <summary>The bucket cannot be mounted (unknown bucket, credentials refused, endpoint unreachable, bad option): one line for the user.</summary>
public sealed class S3SourceException(string message, Exception? innerException = null) : Exception(message, innerException);
