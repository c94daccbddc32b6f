package com.example.archetypes.runtime.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job engine's counters and timers, by job type, moved by the engine's own events: a job queued
 * (by this process's API), a run started, done, failed, retried or dead-lettered (by this process's
 * worker), and each run's time. Each is counted once its step is recorded in Redis, so a run whose
 * outcome could not be recorded (it runs again) is not counted as ended. The queue-wide gauges are
 * {@link QueueGauges}'. The meter names and what they mean are in the README ("Metrics").
 */
@Singleton
class JobMetrics {

    private final MeterRegistry registry;
    /** Meters by name and type: a map lookup, cheaper than the registry's own id lookup per job. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void queued(String type) {
        count("jobs.queued", "Jobs queued, by type", type);
    }

    void started(String type) {
        count("jobs.started", "Runs of jobs started, by type", type);
    }

    void done(String type) {
        count("jobs.done", "Jobs done, by type", type);
    }

    /** A run whose handler failed, whether the job is retried or dead-lettered. */
    void failed(String type) {
        count("jobs.failed", "Runs of jobs that failed (retried or dead-lettered), by type", type);
    }

    void retried(String type) {
        count("jobs.retried", "Failed runs of jobs scheduled to run again, by type", type);
    }

    void deadLettered(String type) {
        count("jobs.dead.lettered", "Jobs that failed for good and went to the dead-letter stream, by type", type);
    }

    /** How long a handler ran, by type and outcome ({@code done} or {@code failed}). */
    void ran(String type, String outcome, Duration time) {
        timers.computeIfAbsent(type + '\u0000' + outcome, key -> Timer.builder("jobs.run.time")
                        .description("How long job handlers ran, by type and outcome")
                        .tag("type", type).tag("outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(time);
    }

    /** The jobs this process's worker holds (running, and read ahead): {@code held}'s size. */
    void bindHeld(Map<?, ?> held) {
        Gauge.builder("jobs.held", held, Map::size)
                .description("Jobs this worker holds: running, and read ahead")
                .register(registry);
    }

    private void count(String name, String description, String type) {
        counters.computeIfAbsent(name + '\u0000' + type, key -> Counter.builder(name)
                        .description(description).tag("type", type).register(registry))
                .increment();
    }
}
