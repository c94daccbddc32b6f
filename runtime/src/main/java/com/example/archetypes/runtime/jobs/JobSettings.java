package com.example.archetypes.runtime.jobs;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The job engine's settings, {@code app.jobs.*}, each with a default that suits a small service (a
 * generated service maps each one to an environment variable in its application.yml; see the
 * library's README).
 *
 * @param keyPrefix            names this service's Redis keys (generated services set their own
 *                             name); two services sharing a Redis need two prefixes. Every key
 *                             starts with it in braces ({@link #keyTag}), so it may not hold braces
 * @param maxAttempts          runs of a job before it goes to the dead-letter stream
 * @param retryBackoff         wait before the first retry; it doubles on each later one
 * @param maxRetryBackoff      the longest wait between two runs
 * @param visibilityTimeout    how long a worker may go silent before another worker takes its
 *                             job over; a running job's worker renews its claim three times
 *                             per timeout, so jobs may take longer than this
 * @param pollTimeout          how long a worker blocks waiting for new jobs, and how often it looks
 *                             for due retries and abandoned jobs
 * @param retention            how long the record of a finished job (and so {@code GET /jobs/{id}})
 *                             is kept
 * @param workerThreads        jobs one worker process runs at the same time
 * @param shutdownTimeout      how long a stopping worker waits for its jobs in flight
 * @param deadLetterMaxLength  dead-lettered jobs kept (older ones are trimmed)
 * @param reportInterval       how often one worker logs the queue's figures (waiting, running,
 *                             retrying, dead-lettered)
 */
@ConfigurationProperties("app.jobs")
record JobSettings(
        @Bindable(defaultValue = "jobs") @NotBlank
        @Pattern(regexp = "[^{}]+", message = "must not contain '{' or '}': the library puts it in braces itself")
        String keyPrefix,
        @Bindable(defaultValue = "5") @Positive int maxAttempts,
        @Bindable(defaultValue = "2s") @NotNull Duration retryBackoff,
        @Bindable(defaultValue = "10m") @NotNull Duration maxRetryBackoff,
        @Bindable(defaultValue = "5m") @NotNull Duration visibilityTimeout,
        @Bindable(defaultValue = "2s") @NotNull Duration pollTimeout,
        @Bindable(defaultValue = "7d") @NotNull Duration retention,
        @Bindable(defaultValue = "4") @Positive int workerThreads,
        @Bindable(defaultValue = "20s") @NotNull Duration shutdownTimeout,
        @Bindable(defaultValue = "10000") @Positive long deadLetterMaxLength,
        @Bindable(defaultValue = "1m") @NotNull Duration reportInterval) {

    /**
     * What every Redis key of this service starts with: the prefix as a Redis Cluster hash tag,
     * {@code {prefix}}, so that all of them are in one hash slot, as the queue's scripts need on a
     * cluster (a script may touch only keys of one slot).
     */
    String keyTag() {
        return "{" + keyPrefix + "}";
    }

    /**
     * The wait before the run after {@code attempt} failed: retryBackoff doubled per attempt, at most
     * maxRetryBackoff, of which a random half is taken off so that jobs that failed together (say,
     * while a server they need was down) do not all come back at the same moment.
     */
    Duration backoffAfter(int attempt) {
        Duration delay = retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        long millis = Math.min(delay.toMillis(), maxRetryBackoff.toMillis());
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }
}
