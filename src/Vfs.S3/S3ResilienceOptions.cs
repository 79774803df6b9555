namespace Vfs.S3;

/// <summary>
/// The resilience pipeline around every S3 call (see <see cref="S3ResiliencePipeline"/>). Defaults suit AWS and
/// local servers alike; each is checked at start.
/// </summary>
public sealed class S3ResilienceOptions
{
    /// <summary>Timeout of one attempt of one S3 call (a part upload, a ranged GET). Default 60 s; 100 ms to 1 h.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt for throttling, 5xx, timeouts and connection failures. Default 6; 0 disables retry.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>Base of the exponential backoff (with jitter). Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two attempts. Default 15 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The circuit opens when this share of calls failed within <see cref="CircuitSamplingDuration"/>. Default 0.5; 0 disables the breaker.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the ratio counts. Default 20; at least 2.</summary>
    public int CircuitMinimumThroughput { get; set; } = 20;

    /// <summary>Window in which failures are counted. Default 30 s.</summary>
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once before it lets one through. Default 10 s.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        S3VfsOptions.Check(AttemptTimeout >= TimeSpan.FromMilliseconds(100) && AttemptTimeout <= TimeSpan.FromHours(1), nameof(AttemptTimeout), "100 ms to 1 h");
        S3VfsOptions.Check(MaxRetryAttempts is >= 0 and <= 100, nameof(MaxRetryAttempts), "0 to 100");
        S3VfsOptions.Check(RetryBaseDelay >= TimeSpan.Zero && RetryBaseDelay <= TimeSpan.FromMinutes(1), nameof(RetryBaseDelay), "0 to 1 min");
        S3VfsOptions.Check(RetryMaxDelay >= RetryBaseDelay && RetryMaxDelay <= TimeSpan.FromHours(1), nameof(RetryMaxDelay), "RetryBaseDelay to 1 h");
        S3VfsOptions.Check(CircuitFailureRatio is >= 0 and <= 1, nameof(CircuitFailureRatio), "0 to 1");
        S3VfsOptions.Check(CircuitMinimumThroughput >= 2, nameof(CircuitMinimumThroughput), "at least 2");
        S3VfsOptions.Check(CircuitSamplingDuration >= TimeSpan.FromMilliseconds(500), nameof(CircuitSamplingDuration), "at least 500 ms");
        S3VfsOptions.Check(CircuitBreakDuration >= TimeSpan.FromMilliseconds(500), nameof(CircuitBreakDuration), "at least 500 ms");
    }
}
