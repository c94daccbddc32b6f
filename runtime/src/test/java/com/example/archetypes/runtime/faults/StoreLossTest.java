package com.example.archetypes.runtime.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * A Redis without persistence, restarted empty under a running service (a store replaced without
 * its data): the service says so at once, in an ERROR line, as jobStore DATA_LOST in /health and
 * in the meter jobs.store.data.losses, while it goes on taking new jobs.
 */
class StoreLossTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aStoreRestartedEmptyIsReportedInTheLogAndInHealth() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger watchLog = (Logger) LoggerFactory.getLogger("com.example.archetypes.runtime.jobs.QueueStoreWatch");
        log.start();
        watchLog.addAppender(log);
        try (RedisProcess redis = new RedisProcess("--appendonly", "no");
             TestServices services = new TestServices();
             EmbeddedServer service = services.startServer("all",
                     Map.of("redis.uri", redis.url(), "app.jobs.store-check-interval", "200ms"))) {
            String base = "http://127.0.0.1:" + service.getPort();
            String token = services.issuer().token("test-caller", "jobs:write");
            HttpResponse<String> accepted = post(base + "/jobs", "{\"type\":\"greet\",\"payload\":{\"name\":\"n1\"}}", token);
            assertEquals(202, accepted.statusCode(), accepted.body());
            Await.until("health is UP with jobStore UP", Duration.ofSeconds(10),
                    () -> get(base + "/health").body().contains("\"jobStore\":{\"status\":\"UP\"}"));

            redis.kill();
            redis.start(); // the same port, no data: appendonly no, save ""

            Await.until("the ERROR line about the lost store", Duration.ofSeconds(10), () -> log.list.stream()
                    .anyMatch(event -> event.getLevel() == Level.ERROR
                            && event.getFormattedMessage().contains("lost its data")));
            // DATA_LOST is operational: once the worker has reconnected, /health answers 200 and says it.
            HttpResponse<String> health = Await.until("jobStore DATA_LOST in a 200 /health", Duration.ofSeconds(10),
                    () -> get(base + "/health"), answer -> answer.statusCode() == 200
                            && answer.body().contains("\"jobStore\":{\"status\":\"DATA_LOST\"}"));
            System.out.println("[store-loss] after the empty restart /health answered " + health.statusCode()
                    + " " + health.body());

            // The meter the environment's JobStoreDataLost alarm reads (through CloudWatch).
            MeterRegistry registry = service.getApplicationContext().getBean(MeterRegistry.class);
            assertEquals(1.0, registry.get("jobs.store.data.losses").functionCounter().count(),
                    "jobs.store.data.losses counts the loss once");

            HttpResponse<String> afterwards = post(base + "/jobs", "{\"type\":\"greet\",\"payload\":{\"name\":\"n2\"}}", token);
            assertEquals(202, afterwards.statusCode(), "new jobs are still taken: " + afterwards.body());
            long errorLines = log.list.stream().filter(event -> event.getLevel() == Level.ERROR).count();
            assertTrue(errorLines == 1, "one loss, one ERROR line; got " + errorLines);
        } finally {
            watchLog.detachAppender(log);
        }
    }

    private HttpResponse<String> post(String url, String body, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
