package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WorkerRole;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * {@code jobWorker} in /health: DOWN while the worker cannot work (Redis unreachable, or its reader
 * stuck), so that the orchestrator sees a worker that has stopped working. Part of readiness, not
 * of liveness: restarting does not bring Redis back.
 */
@WorkerRole
@Singleton
class JobWorkerHealth implements HealthIndicator {

    private final JobWorker worker;

    JobWorkerHealth(JobWorker worker) {
        this.worker = worker;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        String problem = worker.problem();
        return Publishers.just(HealthResult.builder("jobWorker", problem == null ? HealthStatus.UP : HealthStatus.DOWN)
                .details(problem == null ? null : Map.of("problem", problem))
                .build());
    }
}
