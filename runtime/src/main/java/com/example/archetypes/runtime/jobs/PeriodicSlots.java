package com.example.archetypes.runtime.jobs;

import io.lettuce.core.ScriptOutputType;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Optional;

import static com.example.archetypes.runtime.jobs.QueueRedis.await;

/**
 * Which worker runs a periodic task's current interval: a claim in Redis, under
 * {@code <prefix>:periodic:<task>}, that the first worker to ask in each interval gets (see
 * {@link QueueScripts#CLAIM_PERIODIC_SLOT}). It shares the queue's connection, not its keys.
 */
@Singleton
class PeriodicSlots {

    private final QueueRedis redis;
    private final String keyPrefix;

    PeriodicSlots(QueueRedis redis, JobSettings settings) {
        this.redis = redis;
        this.keyPrefix = settings.keyTag() + ":periodic:";
    }

    /** The number of the current interval for the first worker to ask in it, empty for every later one. */
    Optional<Long> claim(String task, Duration interval) {
        long slot = await(redis.<Long>eval(QueueScripts.CLAIM_PERIODIC_SLOT, ScriptOutputType.INTEGER,
                new String[] {keyPrefix + task}, String.valueOf(interval.toMillis())));
        return slot < 0 ? Optional.empty() : Optional.of(slot);
    }
}
