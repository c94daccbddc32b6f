package com.example.templateservice.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Metric;

/**
 * The figures the service itself publishes to CloudWatch (the runtime library does it once a minute
 * when METRICS_CLOUDWATCH_NAMESPACE is set, which the environment sets to {@link #namespace}). Only
 * these few go to CloudWatch, without dimensions: each distinct metric costs $0.30 a month there,
 * and the alarms and the backlog scaling need no more. Every instance reports the queue-wide value of
 * a gauge, so the alarms take the Maximum across instances. The names are the service's contract:
 * .ebextensions/backlog-scaling.config names {@link #OLDEST_WAITING_AGE} too (DeliveryFilesTest checks).
 */
record ServiceMetrics(String namespace) {

    /** Jobs waiting in the queue, not yet taken by a worker. */
    static final String WAITING = "jobs.waiting";
    /** Seconds since the oldest waiting job was queued; 0 when none waits. */
    static final String OLDEST_WAITING_AGE = "jobs.oldest.waiting.age";
    /** Jobs moved to the dead-letter stream (every retry failed, or a permanent failure) in the minute. */
    static final String DEAD_LETTERED = "jobs.dead.lettered";
    /** Worker consumers that took or polled work within the last minute, queue-wide. */
    static final String WORKERS = "jobs.workers";
    /** Times in the minute a process found the queue's store emptied under it (every job it held lost). */
    static final String STORE_DATA_LOSSES = "jobs.store.data.losses";

    /** The namespace of an environment's figures: the service's name, then the environment's. */
    static ServiceMetrics of(DeliverySettings settings, Stage stage) {
        return new ServiceMetrics(settings.service() + "/" + stage.name());
    }

    Metric metric(String name, String statistic, Duration period) {
        return Metric.Builder.create().namespace(namespace).metricName(name)
                .statistic(statistic).period(period).build();
    }
}
