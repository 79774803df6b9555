using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Vfs.Fuse.Native;

namespace Vfs.Fuse;

/// <summary>
/// One request from the kernel while it is being served: its libfuse handle, a cancellation token that a FUSE
/// INTERRUPT cancels, and the start time for --debug. Ended exactly once, right after the reply.
/// </summary>
/// <remarks>
/// libfuse may call the interrupt callback even after the reply (it reads the callback under its session lock and
/// calls it after releasing it), so the callback's data is a request id looked up in <see cref="s_inFlight"/>, not
/// a pointer, and the cancellation runs on the thread pool, never on the libfuse thread holding the request lock.
/// </remarks>
internal sealed class FuseRequest
{
    private static readonly ConcurrentDictionary<long, FuseRequest> s_inFlight = new();
    private static long s_nextId;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly long _id;
    private int _replied;

    private FuseRequest(nint handle, string op, string? subject)
    {
        Handle = handle;
        Op = op;
        Subject = subject;
        StartTimestamp = Stopwatch.GetTimestamp();
        _id = Interlocked.Increment(ref s_nextId);
    }

    public nint Handle { get; }

    public string Op { get; }

    /// <summary>What the request is about, for logs (filled in once the path is known).</summary>
    public string? Subject { get; set; }

    public long StartTimestamp { get; }

    public CancellationToken Token => _cancellation.Token;

    public static unsafe FuseRequest Begin(nint handle, string op, string? subject = null)
    {
        var request = new FuseRequest(handle, op, subject);
        s_inFlight[request._id] = request;
        LibFuse.RequestInterruptFunc(handle, &OnInterrupt, (nint)request._id);
        return request;
    }

    /// <summary>True the first time only: a request is answered exactly once (libfuse frees it with the reply).</summary>
    public bool TryBeginReply() => Interlocked.Exchange(ref _replied, 1) == 0;

    public bool Replied => Volatile.Read(ref _replied) != 0;

    public void End()
    {
        s_inFlight.TryRemove(_id, out _);
        _cancellation.Dispose();
    }

    /// <summary>Called by libfuse on a FUSE INTERRUPT for the request (the caller got a signal).</summary>
    [UnmanagedCallersOnly]
    private static void OnInterrupt(nint req, nint data)
    {
        if (s_inFlight.TryGetValue(data, out var request))
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.Cancel(), request, preferLocal: false);
    }

    private void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Answered in the meantime: nothing to cancel.
        }
    }
}
