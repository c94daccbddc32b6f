package com.example.archetypes.runtime.jobs;

import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notices a queue store that lost its data under the running service (Redis restarted without
 * persistence, a node replaced empty), which would otherwise look like nothing at all: jobs accepted
 * before answer 404, as if they never existed.
 *
 * <p>The first process to find no marker key {@code <prefix>:store} writes one with a new value
 * (when it was written, and a random id); every process remembers the value it saw and reads it again every
 * {@code app.jobs.store-check-interval} ({@code 1s}). A marker that is gone, or that holds another
 * value (another process already noticed the loss and wrote a new one), means the keys beside it are
 * gone too: the process logs it at ERROR, counts it in the meter {@code jobs.store.data.losses}
 * (which goes to CloudWatch for the environment's alarm) and says {@code DATA_LOST} in
 * /health ({@link QueueStoreHealth}) until it restarts. It writes a new marker, so the next loss
 * is noticed too; new jobs work meanwhile.
 */
@Singleton
class QueueStoreWatch {

    private static final Logger LOG = LoggerFactory.getLogger(QueueStoreWatch.class);

    private final QueueRedis redis;
    private final String markerKey;
    private final Duration interval;
    private final AtomicLong dataLosses = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "queue-store-watch");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String seenMarker;
    private volatile Instant lastLoss;

    QueueStoreWatch(QueueRedis redis, JobSettings settings, MeterRegistry registry,
                    @Value("${app.jobs.store-check-interval:1s}") Duration interval) {
        this.redis = redis;
        this.markerKey = settings.keyTag() + ":store";
        this.interval = interval;
        FunctionCounter.builder("jobs.store.data.losses", dataLosses, AtomicLong::get)
                .description("Times this process found the job queue's store emptied under it (its jobs lost)")
                .register(registry);
    }

    @EventListener
    void start(StartupEvent event) {
        timer.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** How many times this process found the store emptied under it. */
    long dataLosses() {
        return dataLosses.get();
    }

    /** When this process last found the store emptied, or null. */
    Instant lastLoss() {
        return lastLoss;
    }

    /** Reads the marker (writing it where there is none) and compares it with the one seen last. */
    void check() {
        String marker;
        // A new value each time, never this process's last one: a store emptied after this very
        // process wrote its marker must show a different marker when it is written again.
        String fresh = Instant.now() + " " + UUID.randomUUID();
        try {
            QueueRedis.await(redis.call(commands -> commands.set(markerKey, fresh, SetArgs.Builder.nx())
                    .toCompletableFuture()));
            marker = QueueRedis.await(redis.call(commands -> commands.get(markerKey).toCompletableFuture()));
        } catch (RuntimeException unreachable) {
            return; // Redis away: the redis health check and the API's 503 say so.
        }
        String before = seenMarker;
        seenMarker = marker;
        if (before != null && !before.equals(marker)) {
            dataLosses.incrementAndGet();
            lastLoss = Instant.now();
            LOG.error("The job queue's Redis lost its data: its marker key {} (written {}) is gone. Every job "
                            + "queued before is lost, and GET /jobs/{id} answers 404 for it. Redis was restarted "
                            + "without persistence or replaced by an empty node: check the store's persistence "
                            + "(the service README's table says what is durable where), and have clients resend "
                            + "what they queued since the store's last good state.",
                    markerKey, before.substring(0, before.indexOf(' ')));
        }
    }
}
