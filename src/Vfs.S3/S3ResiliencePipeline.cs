using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Vfs.S3;

/// <summary>
/// The one Polly pipeline every S3 call runs in (STYLE.md habit 10), outermost first: retry (exponential backoff
/// with jitter, only for <see cref="S3Errors.IsTransient"/>), circuit breaker (fails calls at once while the
/// endpoint keeps failing), per-attempt timeout. The pipeline's token goes to each SDK call so the timeout and
/// the caller's cancellation reach the HTTP request; the SDK's own retries are off (MaxErrorRetry = 0), so
/// nothing else retries. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public static class S3ResiliencePipeline
{
    public static ResiliencePipeline Create(S3ResilienceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        options.Validate();
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(S3Errors.IsTransient),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    logger.LogDebug("S3 call failed ({Error}); retry {Attempt} in {Delay}",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            });
        }
        if (options.CircuitFailureRatio > 0)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(S3Errors.IsTransient),
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                OnOpened = args =>
                {
                    logger.LogWarning("S3 endpoint failing: circuit open for {Duration}", args.BreakDuration);
                    return default;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("S3 endpoint answering again: circuit closed");
                    return default;
                },
            });
        }
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }
}
