package com.example.templateservice;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health follows Redis going away and coming back, without a restart of the service, and tells a
 * stranger the status of each check but none of their details.
 */
class HealthTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    private TcpProxy redisProxy;

    @Override
    protected Map<String, String> properties() {
        if (redisProxy == null) { // Micronaut may ask for the properties more than once
            URI redis = URI.create(services.redisUrl());
            redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
        }
        return Map.of("redis.uri", "redis://127.0.0.1:" + redisProxy.start(), "redis.timeout", "1s");
    }

    @AfterAll
    void stopProxy() {
        redisProxy.close();
    }

    @Test
    void healthIsDownWhileRedisIsUnreachableAndUpAgainWhenItReturns() {
        awaitHealth(200, "UP");

        redisProxy.stop();
        Map<String, Object> down = awaitHealth(503, "DOWN");
        assertEquals("UP", component(down, "jdbc"), "the database is still there: " + down);
        assertEquals(200, http.get("/health/liveness").statusCode(), "a Redis outage is no reason to restart the service");

        redisProxy.start();
        awaitHealth(200, "UP");
    }

    @Test
    void readinessChecksTheDatabaseRedisAndTheWorker() {
        HttpResponse<String> readiness = http.get("/health/readiness");

        assertEquals(200, readiness.statusCode(), readiness.body());
        Map<String, Object> body = http.json(readiness);
        assertEquals("UP", component(body, "jdbc"), body.toString());
        assertEquals("UP", component(body, "redis"), body.toString());
        assertEquals("UP", component(body, "jobWorker"), body.toString());
    }

    @Test
    void healthTellsStrangersEachCheckStatusButNoDetails() {
        String body = http.get("/health").body();

        for (String detail : new String[] {"jdbc:mysql", services.database(), "127.0.0.1", "MariaDB", "MySQL", "version"}) {
            assertFalse(body.contains(detail), "/health shows '" + detail + "': " + body);
        }
        assertTrue(body.contains("\"jdbc\":{\"status\":\"UP\"}"), body);
    }

    @Test
    void anUnknownHealthCheckIsNotFoundInPlainWords() {
        HttpResponse<String> response = http.get("/health/nonsense");

        assertEquals(404, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertFalse(response.body().contains("io.micronaut"), response.body());
        assertFalse(response.body().contains("HealthCheckType"), response.body());
    }

    /** What /health answered: the status code and the body. */
    private record Health(int code, Map<String, Object> body) {
    }

    private Map<String, Object> awaitHealth(int httpStatus, String redisStatus) {
        return Await.until("/health answers " + httpStatus + " with redis " + redisStatus, WITHIN, () -> {
            HttpResponse<String> response = http.get("/health");
            return new Health(response.statusCode(), http.json(response));
        }, health -> health.code() == httpStatus && redisStatus.equals(component(health.body(), "redis"))).body();
    }

    @SuppressWarnings("unchecked")
    static Object component(Map<String, Object> health, String name) {
        Map<String, Object> details = (Map<String, Object>) health.getOrDefault("details", Map.of());
        Map<String, Object> component = (Map<String, Object>) details.getOrDefault(name, Map.of());
        return component.get("status");
    }
}
