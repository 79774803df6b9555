using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.Runtime;

namespace Vfs.Testing.S3;

/// <summary>What an injected fault does to one HTTP request.</summary>
public abstract record S3Fault
{
    /// <summary>Answers with this status and an S3 error body instead of sending the request.</summary>
    public sealed record Status(HttpStatusCode Code, string ErrorCode) : S3Fault;

    /// <summary>Waits this long before sending the request (a slow server; a per-attempt timeout cuts it short).</summary>
    public sealed record Latency(TimeSpan Delay) : S3Fault;

    /// <summary>Fails as a connection reset before any answer.</summary>
    public sealed record DropConnection : S3Fault;

    public static S3Fault InternalError => new Status(HttpStatusCode.InternalServerError, "InternalError");

    public static S3Fault SlowDown => new Status(HttpStatusCode.ServiceUnavailable, "SlowDown");
}

/// <summary>
/// An HTTP handler between the AWS SDK and a real server that injects faults by rule: "the next N requests that
/// match fail with F". Counts every request it sees, so tests can tell how many attempts were made. Plug it in
/// with <see cref="Factory"/> as <c>AmazonS3Config.HttpClientFactory</c>.
/// </summary>
public sealed class FaultInjectingHandler : DelegatingHandler
{
    private sealed class Rule(Func<HttpRequestMessage, bool> matches, int remaining, S3Fault fault)
    {
        public Func<HttpRequestMessage, bool> Matches { get; } = matches;
        public S3Fault Fault { get; } = fault;
        public bool Forever { get; } = remaining < 0;
        public int Remaining = remaining;
    }

    private readonly ConcurrentQueue<Rule> _rules = new();
    private readonly ConcurrentQueue<string> _log = new();
    private int _requests;
    private int _faults;

    public FaultInjectingHandler() : base(new SocketsHttpHandler()) { }

    /// <summary>Requests seen (faulted or sent).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Faults injected.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>"METHOD path?query" of every request seen, in order.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>The next <paramref name="count"/> requests matching <paramref name="matches"/> get <paramref name="fault"/> (count -1: all of them).</summary>
    public void Inject(S3Fault fault, int count = 1, Func<HttpRequestMessage, bool>? matches = null) =>
        _rules.Enqueue(new Rule(matches ?? (_ => true), count, fault));

    public void Clear() => _rules.Clear();

    public static bool IsUploadPart(HttpRequestMessage request) =>
        request.Method == HttpMethod.Put && request.RequestUri!.Query.Contains("partNumber=", StringComparison.Ordinal);

    public static Func<HttpRequestMessage, bool> Method(HttpMethod method) => request => request.Method == method;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        _log.Enqueue($"{request.Method} {request.RequestUri!.PathAndQuery}");
        foreach (var rule in _rules)
        {
            if (!rule.Matches(request)) continue;
            if (!rule.Forever && Interlocked.Decrement(ref rule.Remaining) < 0) continue;
            Interlocked.Increment(ref _faults);
            _log.Enqueue($"  -> injected {rule.Fault}");
            switch (rule.Fault)
            {
                case S3Fault.Status status:
                    var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{status.ErrorCode}</Code><Message>injected fault</Message><RequestId>fault</RequestId></Error>";
                    return new HttpResponseMessage(status.Code)
                    {
                        RequestMessage = request,
                        Content = new StringContent(body, Encoding.UTF8, "application/xml"),
                    };
                case S3Fault.Latency latency:
                    await Task.Delay(latency.Delay, cancellationToken).ConfigureAwait(false);
                    break;
                case S3Fault.DropConnection:
                    throw new HttpRequestException("injected: connection reset by peer", new IOException("connection reset by peer"));
            }
            break;
        }
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _log.Enqueue($"  -> {(int)response.StatusCode}");
        return response;
    }

    /// <summary>The SDK hook that routes a client's requests through <paramref name="handler"/>.</summary>
    public sealed class Factory(FaultInjectingHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
