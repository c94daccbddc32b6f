package com.example.templateservice;

import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** /health follows Redis going away and coming back, without a restart of the service. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthTest implements TestPropertyProvider {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    private final TestServices services = new TestServices();
    private TcpProxy redisProxy;

    @Inject
    EmbeddedServer server;

    @Inject
    JsonMapper json;

    private TestHttp http;

    @Override
    public Map<String, String> getProperties() {
        URI redis = URI.create(services.redisUrl());
        redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
        int port = redisProxy.start();
        Map<String, String> properties = new HashMap<>(services.properties());
        properties.put("redis.uri", "redis://127.0.0.1:" + port);
        properties.put("redis.timeout", "1s");
        return properties;
    }

    @BeforeEach
    void connect() {
        http = new TestHttp(server.getURI(), json);
    }

    @AfterAll
    void removeTestData() {
        redisProxy.close();
        services.close();
    }

    @Test
    void healthIsDownWhileRedisIsUnreachableAndUpAgainWhenItReturns() {
        awaitHealth(200, "UP", "UP");

        redisProxy.stop();
        Map<String, Object> down = awaitHealth(503, "DOWN", "DOWN");
        assertEquals("UP", component(down, "jdbc"), "the database is still there: " + down);
        assertEquals(200, http.get("/health/liveness").statusCode(), "a Redis outage is no reason to restart the service");

        redisProxy.start();
        awaitHealth(200, "UP", "UP");
    }

    @Test
    void readinessChecksTheDatabaseAndRedis() {
        HttpResponse<String> readiness = http.get("/health/readiness");

        assertEquals(200, readiness.statusCode(), readiness.body());
        Map<String, Object> body = http.json(readiness);
        assertEquals("UP", component(body, "jdbc"), body.toString());
        assertEquals("UP", component(body, "redis"), body.toString());
    }

    private Map<String, Object> awaitHealth(int httpStatus, String status, String redisStatus) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        Map<String, Object> body = Map.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.get("/health");
            body = http.json(response);
            if (response.statusCode() == httpStatus && status.equals(body.get("status"))
                    && redisStatus.equals(component(body, "redis"))) {
                return body;
            }
            sleep();
        }
        return fail("/health did not become " + status + " (HTTP " + httpStatus + ") within " + WITHIN + "; last: " + body);
    }

    @SuppressWarnings("unchecked")
    private static Object component(Map<String, Object> health, String name) {
        Map<String, Object> details = (Map<String, Object>) health.getOrDefault("details", Map.of());
        Map<String, Object> component = (Map<String, Object>) details.getOrDefault(name, Map.of());
        return component.get("status");
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
