package com.example.archetypes.runtime.jobs;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.time.Instant;
import java.util.Map;

/**
 * {@code jobStore} in /health: {@code DATA_LOST} once this process found the queue's store emptied
 * under it ({@link QueueStoreWatch}), UP otherwise. DATA_LOST is operational (/health still answers
 * 200): the jobs are already gone, and taking the service out of its load balancer would add an
 * outage to the loss; it is there for people and alarms, beside the ERROR line in the log.
 */
@Singleton
class QueueStoreHealth implements HealthIndicator {

    static final HealthStatus DATA_LOST = new HealthStatus("DATA_LOST",
            "the job queue's store lost its data while the service ran", true, null);

    private final QueueStoreWatch watch;

    QueueStoreHealth(QueueStoreWatch watch) {
        this.watch = watch;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Instant lost = watch.lastLoss();
        return Publishers.just(HealthResult.builder("jobStore", lost == null ? HealthStatus.UP : DATA_LOST)
                .details(lost == null ? null : Map.of("lastLoss", lost.toString(), "losses", watch.dataLosses()))
                .build());
    }
}
