package com.example.archetypes.runtime.metrics;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's metrics, read as Prometheus reads them, from the metrics port: a request moves the
 * HTTP server's timer under its route's template; each step of a job moves its counter by exactly
 * one; the JVM's, Lettuce's and the job engine's meters are there; and the service's own port
 * serves none of it.
 */
class MetricsTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final List<String> JOB_COUNTERS = List.of("jobs_queued_total", "jobs_started_total",
            "jobs_done_total", "jobs_failed_total", "jobs_retried_total", "jobs_dead_lettered_total");

    @Inject
    PrometheusPort metricsPort;

    private PrometheusText scrape() {
        return PrometheusText.scrape(metricsPort.boundPort());
    }

    @Test
    void aRequestMovesTheHttpServerTimerUnderItsRouteTemplateAndStatus() {
        String id = String.valueOf(http.json(http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"a\"}}")).get("id"));
        Map<String, String> statusRoute = Map.of("method", "GET", "uri", "/jobs/{id}", "status", "200");
        double before = scrape().value("http_server_requests_seconds_count", statusRoute);

        assertEquals(200, http.get("/jobs/" + id).statusCode());

        PrometheusText after = Await.until("the GET to be counted", WITHIN, this::scrape,
                text -> text.value("http_server_requests_seconds_count", statusRoute) > before);
        assertEquals(before + 1, after.value("http_server_requests_seconds_count", statusRoute));
        assertFalse(after.text().contains(id), "no series names the job's id: routes are counted by template");
        assertTrue(after.value("http_server_requests_seconds_bucket", Map.of("uri", "/jobs/{id}", "le", "+Inf")) >= 1,
                "a histogram, for quantiles across processes");
        assertTrue(after.series().stream().filter(series -> series.name().equals("http_server_requests_seconds_bucket")
                && "/jobs/{id}".equals(series.labels().get("uri"))).count() > 20, "buckets enough for p50, p95 and p99");
    }

    @Test
    void eachStepOfAJobMovesItsCounterByExactlyOne() {
        assertMoves("greet", "{}", Map.of("jobs_queued_total", 1, "jobs_started_total", 1, "jobs_done_total", 1),
                "DONE");
        assertMoves("fails-once", "{\"key\": \"metrics-once\"}", Map.of("jobs_queued_total", 1, "jobs_started_total", 2,
                "jobs_failed_total", 1, "jobs_retried_total", 1, "jobs_done_total", 1), "DONE");
        assertMoves("fails", "{\"how\": \"for-good\"}", Map.of("jobs_queued_total", 1, "jobs_started_total", 1,
                "jobs_failed_total", 1, "jobs_dead_lettered_total", 1), "FAILED");
    }

    /** Queues a job of {@code type}, waits for it to end in {@code status}, and checks every counter's move. */
    private void assertMoves(String type, String payload, Map<String, Integer> moves, String status) {
        Map<String, String> ofType = Map.of("type", type);
        PrometheusText before = scrape();
        String id = String.valueOf(http.json(http.postJson("/jobs",
                "{\"type\": \"" + type + "\", \"payload\": " + payload + "}")).get("id"));
        Await.until("job " + id + " to end " + status, WITHIN,
                () -> String.valueOf(http.json(http.get("/jobs/" + id)).get("status")), status::equals);
        PrometheusText after = Await.until("the job's last step to be counted", WITHIN, this::scrape,
                text -> moves.entrySet().stream().allMatch(move ->
                        text.value(move.getKey(), ofType) >= before.value(move.getKey(), ofType) + move.getValue()));
        for (String counter : JOB_COUNTERS) {
            assertEquals(before.value(counter, ofType) + moves.getOrDefault(counter, 0), after.value(counter, ofType),
                    counter + " of a " + type + " job that ended " + status);
        }
        assertTrue(after.value("jobs_run_time_seconds_count", ofType) > before.value("jobs_run_time_seconds_count", ofType),
                "its run time is recorded");
    }

    @Test
    void theJvmThePoolsAndRedisAreMeasured() {
        http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {}}");
        PrometheusText text = Await.until("Lettuce's command latency", WITHIN, this::scrape,
                scrape -> scrape.has("lettuce_command_completion_seconds_count"));
        for (String name : List.of("jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_pause_seconds_count",
                "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "system_cpu_usage", "process_uptime_seconds", "logback_events_total",
                "lettuce_command_firstresponse_seconds_count", "jobs_waiting", "jobs_running", "jobs_retrying", "jobs_dead",
                "jobs_oldest_waiting_age_seconds", "jobs_workers", "jobs_held")) {
            assertTrue(text.has(name), name + " is served");
        }
    }

    @Test
    void theServicePortServesNoMetricsWithOrWithoutAToken() {
        for (String path : List.of("/metrics", "/prometheus", "/metrics/jvm.memory.used", "/beans", "/loggers")) {
            for (var client : List.of(http, http.withToken(null))) {
                HttpResponse<String> response = client.get(path);
                // micronaut-micrometer's /metrics exists: 403 with a caller's token, 401 without; the
                // others are refused as well, or do not exist.
                Set<Integer> expected = !path.equals("/metrics") ? Set.of(401, 403, 404) : Set.of(client == http ? 403 : 401);
                assertTrue(expected.contains(response.statusCode()), path + " on the service's port answered "
                        + response.statusCode() + ", not one of " + expected);
                assertFalse(response.body().contains("jvm_") || response.body().contains("\"names\"")
                        || response.body().contains("measurements"), path + " shows no meter: " + response.body());
            }
        }
        assertEquals(200, http.withToken(null).get("/health").statusCode(), "/health stays public");
        assertEquals(404, PrometheusTextProbe.status(metricsPort.boundPort(), "/other"), "the metrics port serves /metrics only");
    }
}
