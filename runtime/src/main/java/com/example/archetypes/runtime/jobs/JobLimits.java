package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import io.lettuce.core.ScriptOutputType;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Admits a new job or says why not: the queue already holds {@code max-queued} jobs (503), or the
 * caller queued {@code rate-per-caller} jobs in its current window (429). A caller's count is a Redis
 * key, {@code <prefix>:rate:<caller>}, that expires with its window, so every web process shares it;
 * both checks are one script, one round trip. The bound is checked before the job is queued, not
 * with it: processes queueing at the same moment may overshoot it by a few jobs, which is all it is for.
 */
@WebRole
@Singleton
class JobLimits {

    /**
     * KEYS: stream, the caller's count. ARGV: max queued, rate per caller, window ms. Returns {0, count}
     * when admitted, {1, queued} when the queue is full, {2, ms left in the window} over the rate.
     */
    private static final QueueScripts.Script ADMIT = QueueScripts.Script.of("admit", """
            local queued = redis.call('XLEN', KEYS[1])
            if queued >= tonumber(ARGV[1]) then return {1, queued} end
            local count = redis.call('INCR', KEYS[2])
            if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
            if count > tonumber(ARGV[2]) then return {2, redis.call('PTTL', KEYS[2])} end
            return {0, count}
            """);

    private final QueueRedis redis;
    private final JobLimitSettings limits;
    private final String stream;
    private final String ratePrefix;

    JobLimits(QueueRedis redis, JobLimitSettings limits, JobSettings settings) {
        this.redis = redis;
        this.limits = limits;
        this.stream = settings.keyTag() + ":jobs";
        this.ratePrefix = settings.keyTag() + ":rate:";
    }

    /** Completes when {@code caller} may queue a job now; fails with {@link LimitReached} otherwise. */
    CompletableFuture<Void> admit(String caller) {
        return redis.<List<Long>>eval(ADMIT, ScriptOutputType.MULTI, new String[] {stream, ratePrefix + caller},
                        String.valueOf(limits.maxQueued()), String.valueOf(limits.ratePerCaller()),
                        String.valueOf(limits.rateWindow().toMillis()))
                .thenAccept(answer -> {
                    long verdict = answer.get(0);
                    if (verdict == 1) {
                        throw new LimitReached(false, 30, "The job queue is full (" + answer.get(1)
                                + " jobs waiting or running); try again later");
                    }
                    if (verdict == 2) {
                        long seconds = Math.max(1, (Math.max(answer.get(1), 0) + 999) / 1000);
                        throw new LimitReached(true, seconds, "Too many jobs: at most " + limits.ratePerCaller()
                                + " per " + limits.rateWindow().toSeconds() + " s per caller; try again in "
                                + seconds + " seconds");
                    }
                });
    }

    /** A job not admitted: 429 (the caller's rate) or 503 (the queue is full), with when to try again. */
    static final class LimitReached extends RuntimeException {
        final boolean callerRate;
        final long retryAfterSeconds;

        LimitReached(boolean callerRate, long retryAfterSeconds, String message) {
            super(message, null, false, false);
            this.callerRate = callerRate;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }
}
