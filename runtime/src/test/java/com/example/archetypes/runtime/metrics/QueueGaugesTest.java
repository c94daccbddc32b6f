package com.example.archetypes.runtime.metrics;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import io.micronaut.context.ApplicationContext;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue-wide gauges of a web process, with no worker: jobs queued wait, the count and the oldest
 * one's age rise and the active workers are 0; once a worker runs, both fall back to 0 and it counts
 * as a worker; once it stops, it no longer does.
 */
class QueueGaugesTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Inject
    PrometheusPort metricsPort;

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web");
    }

    private PrometheusText scrape() {
        return PrometheusText.scrape(metricsPort.boundPort());
    }

    @Test
    void withTheWorkerStoppedJobsWaitAndAgeThenFallToZeroOnceItRuns() {
        Await.until("the gauges to be read", WITHIN, this::scrape, text -> text.value("jobs_workers") == 0
                && text.value("jobs_waiting") == 0 && text.value("jobs_oldest_waiting_age_seconds") == 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(202, http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"" + i + "\"}}").statusCode());
        }
        PrometheusText waiting = Await.until("3 jobs waiting", WITHIN, this::scrape,
                text -> text.value("jobs_waiting") == 3 && text.value("jobs_oldest_waiting_age_seconds") > 0);
        double firstAge = waiting.value("jobs_oldest_waiting_age_seconds");
        PrometheusText older = Await.until("the oldest job's age to rise", WITHIN, this::scrape,
                text -> text.value("jobs_oldest_waiting_age_seconds") >= firstAge + 0.5);
        assertEquals(3, older.value("jobs_waiting"), "nothing takes them");
        assertEquals(0, older.value("jobs_workers"), "no worker runs");

        try (ApplicationContext worker = services.start("worker", Map.of())) {
            PrometheusText drained = Await.until("the worker to take them", WITHIN, this::scrape,
                    text -> text.value("jobs_waiting") == 0 && text.value("jobs_oldest_waiting_age_seconds") == 0
                            && text.value("jobs_workers") == 1 && text.value("jobs_running") == 0);
            assertEquals(0, drained.value("jobs_retrying") + drained.value("jobs_dead"), "all of them done");
            assertTrue(worker.isRunning());
        }
        Await.until("a stopped worker to no longer count", WITHIN, this::scrape, text -> text.value("jobs_workers") == 0);
    }
}
