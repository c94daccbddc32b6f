package com.example.archetypes.runtime.jobs;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Positive;

import java.time.Duration;

/**
 * How much the job API takes in, {@code app.jobs.limits.*}: a generated service maps them to
 * JOBS_RATE_PER_CALLER, JOBS_RATE_WINDOW and JOBS_MAX_QUEUED.
 *
 * @param ratePerCaller jobs one caller (a token's subject) may queue per window; more answer 429
 * @param rateWindow    the window of {@code ratePerCaller}; Retry-After says when the next one opens
 * @param maxQueued     jobs the stream may hold (waiting or running) before POST /jobs answers 503,
 *                      so that a queue its workers cannot keep up with does not grow without bound
 */
@ConfigurationProperties("app.jobs.limits")
record JobLimitSettings(
        @Bindable(defaultValue = "600") @Positive int ratePerCaller,
        @Bindable(defaultValue = "1m") Duration rateWindow,
        @Bindable(defaultValue = "10000") @Positive long maxQueued) {
}
