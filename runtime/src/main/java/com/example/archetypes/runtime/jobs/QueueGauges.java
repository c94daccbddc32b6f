package com.example.archetypes.runtime.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The queue-wide gauges: jobs waiting, running, waiting to retry and dead-lettered, the age of the
 * oldest waiting job, and the workers that took or polled work within the last minute. Every
 * process (any role) reads them from Redis in one script every {@code app.metrics.queue-interval}
 * ({@code 5s}), on a thread of its own, and the gauges show the last figures read: reading a gauge
 * (a scrape, CloudWatch's publication) never waits on Redis, and nothing on a request's path does.
 * Every process shows the same queue-wide figures, so an alarm takes their maximum. While Redis
 * cannot be read, the gauges are NaN (no value), not the last figures, which would look fine.
 */
@Singleton
class QueueGauges {

    /** A worker counts in {@code jobs.workers} if it took or polled work within this time. */
    static final Duration ACTIVE_WITHIN = Duration.ofMinutes(1);
    private static final JobQueue.Figures UNKNOWN = null;

    private final JobQueue queue;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "queue-gauges");
        thread.setDaemon(true);
        return thread;
    });
    private volatile JobQueue.Figures last = UNKNOWN;

    QueueGauges(JobQueue queue, MeterRegistry registry, @Value("${app.metrics.queue-interval:5s}") Duration interval) {
        this.queue = queue;
        this.interval = interval;
        gauge(registry, "jobs.waiting", null, "Jobs waiting in the queue, not yet taken by a worker (queue-wide)",
                JobQueue.Figures::waiting);
        gauge(registry, "jobs.running", null, "Jobs taken by a worker and not yet ended (queue-wide)",
                JobQueue.Figures::running);
        gauge(registry, "jobs.retrying", null, "Jobs waiting for their next attempt (queue-wide)",
                JobQueue.Figures::retrying);
        gauge(registry, "jobs.dead", null, "Jobs in the dead-letter stream (queue-wide)",
                JobQueue.Figures::dead);
        gauge(registry, "jobs.oldest.waiting.age", "seconds",
                "Seconds since the oldest waiting job was queued, 0 when none waits (queue-wide)",
                figures -> figures.oldestWaitingAge().toMillis() / 1000.0);
        gauge(registry, "jobs.workers", null,
                "Workers that took or polled work within the last minute (queue-wide)", JobQueue.Figures::workers);
    }

    @EventListener
    void start(StartupEvent event) {
        timer.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    private void refresh() {
        try {
            last = queue.figures(ACTIVE_WITHIN).get(interval.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception unreachable) {
            last = UNKNOWN; // Redis away: /health and the API say so; the gauges show no value
        } catch (Throwable error) {
            // Thrown on, an Error would cancel this refresh for good and freeze the gauges at their
            // last values, hiding an outage: show no value instead, and let it be seen.
            last = UNKNOWN;
            throw error;
        }
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<JobQueue.Figures> value) {
        Gauge.builder(name, this, gauges -> {
                    JobQueue.Figures figures = gauges.last;
                    return figures == null ? Double.NaN : value.applyAsDouble(figures);
                })
                .description(description)
                .baseUnit(unit)
                .register(registry);
    }
}
