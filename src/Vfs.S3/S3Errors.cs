using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// The edge where S3's errors become errnos (STYLE.md habit 6) and the one place that says which errors are worth
/// a retry. 404 -> ENOENT, 403 -> EACCES, 412 -> ESTALE (the object changed under a reader), 501/405 -> ENOSYS (the
/// server lacks the operation: callers fall back), a timeout -> ETIMEDOUT, anything else EIO with the S3 message.
/// </summary>
internal static class S3Errors
{
    /// <summary>True for what another attempt may cure: throttling (503 SlowDown, 429), 5xx but 501, 408, timeouts, connection failures.</summary>
    public static bool IsTransient(Exception exception)
    {
        if (exception is BrokenCircuitException or IsolatedCircuitException) return false;
        if (exception is TimeoutRejectedException) return true;
        if (exception is AmazonServiceException service && service.StatusCode != 0)
        {
            int status = (int)service.StatusCode;
            if (status is 408 or 429) return true;
            if (status >= 500 && status != 501) return true;
            if (service.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling" or "InternalError") return true;
            return false;
        }
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or SocketException or TimeoutException or WebException) return true;
            if (e is AmazonServiceException inner && inner != exception && IsTransient(inner)) return true;
        }
        return false;
    }

    /// <summary>The errno of a failed S3 call, as a <see cref="VfsException"/> naming the operation and the key.</summary>
    public static VfsException Translate(Exception exception, string operation, string key)
    {
        if (exception is VfsException vfs) return vfs;
        string where = $"S3 {operation} '{key}'";
        switch (exception)
        {
            case BrokenCircuitException or IsolatedCircuitException:
                return new VfsException(Errno.EIO, $"{where}: S3 endpoint unavailable (circuit open after repeated failures)", exception);
            case TimeoutRejectedException:
                return new VfsException(Errno.ETIMEDOUT, $"{where}: timed out", exception);
            case AmazonServiceException service when service.StatusCode != 0:
                int status = (int)service.StatusCode;
                string detail = $"{where}: {status} {service.ErrorCode} {service.Message}".TrimEnd();
                return status switch
                {
                    404 => new VfsException(Errno.ENOENT, detail, exception),
                    403 => new VfsException(Errno.EACCES, detail, exception),
                    412 => new VfsException(Errno.ESTALE, detail, exception),
                    405 or 501 => new VfsException(Errno.ENOSYS, detail, exception),
                    416 => new VfsException(Errno.EINVAL, detail, exception),
                    _ => new VfsException(Errno.EIO, detail, exception),
                };
        }
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or IOException)
                return new VfsException(Errno.EIO, $"{where}: cannot reach the S3 endpoint: {e.Message}", exception);
        }
        return new VfsException(Errno.EIO, $"{where}: {exception.GetType().Name}: {exception.Message}", exception);
    }
}
