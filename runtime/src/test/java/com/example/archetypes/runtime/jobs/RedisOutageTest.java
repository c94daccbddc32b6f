package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TcpProxy;
import com.example.archetypes.runtime.testing.TestHttp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.configuration.lettuce.health.RedisHealthIndicator;
import io.micronaut.context.ApplicationContext;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.example.archetypes.runtime.jobs.Jobs.awaitStatus;
import static com.example.archetypes.runtime.jobs.Jobs.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis goes away (a proxy in front of it stops) and comes back: the API answers 503 within the
 * Redis timeout meanwhile, queues nothing behind a client's back, and the API and the worker resume
 * within seconds; processes started while Redis is away start anyway and wait for it.
 */
class RedisOutageTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    private TcpProxy redisProxy;
    private RedisClient directClient;
    private StatefulRedisConnection<String, String> direct;

    @Override
    protected Map<String, String> properties() {
        if (redisProxy == null) { // Micronaut may ask for the properties more than once
            URI redis = URI.create(services.redisUrl());
            redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
        }
        return Map.of("redis.uri", proxyUri(redisProxy.start()), "redis.timeout", "1s");
    }

    @BeforeAll
    void connectDirectly() {
        directClient = RedisClient.create(services.redisUrl());
        direct = directClient.connect();
    }

    @AfterEach
    void bringRedisBack() {
        redisProxy.start();
    }

    @AfterAll
    void closeConnections() {
        direct.close();
        directClient.shutdown();
        redisProxy.close();
    }

    @Test
    void whileRedisIsAwayTheApiAnswers503QuicklyAndQueuesNothingLater() {
        submit(http, "greet", "{\"name\": \"before\"}"); // connected before the outage

        redisProxy.stop();
        long start = System.nanoTime();
        HttpResponse<String> post = http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"during\"}}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        HttpResponse<String> get = http.get("/jobs/any-id");
        redisProxy.start();
        String after = acceptedJob(http, "after");
        awaitStatus(http, after, "DONE", WITHIN);

        assertEquals(503, post.statusCode(), post.body());
        assertEquals("application/problem+json", post.headers().firstValue("Content-Type").orElse(""));
        assertTrue(String.valueOf(http.json(post).get("detail")).contains("job queue is unavailable"), post.body());
        assertEquals("5", post.headers().firstValue("Retry-After").orElse(""));
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "the answer took " + took + " with redis.timeout 1s");
        assertEquals(503, get.statusCode(), get.body());
        assertEquals(0, countJobsNamed("during"), "the job refused during the outage was queued after all");
    }

    @Test
    void theWorkerResumesWithinSecondsOfRedisComingBack() {
        redisProxy.stop();
        Await.until("the worker sees Redis gone", WITHIN, () -> http.get("/health").statusCode() == 503);

        redisProxy.start();
        long start = System.nanoTime();
        awaitStatus(http, acceptedJob(http, "Hedy"), "DONE", WITHIN);
        Duration resumed = Duration.ofNanos(System.nanoTime() - start);
        Await.until("/health answers 200 again", WITHIN, () -> http.get("/health").statusCode() == 200);

        assertTrue(resumed.compareTo(Duration.ofSeconds(10)) < 0, "API and worker resumed " + resumed + " after Redis returned");
    }

    /**
     * The redis check is the library's own, on the queue's connection (QueueRedisHealth), in place of
     * micronaut-redis's: DOWN within the Redis timeout while Redis is away, UP again when it is back.
     */
    @Test
    void theRedisCheckIsTheQueuesOwnAndSaysDownWithinTheRedisTimeout() {
        ApplicationContext context = server.getApplicationContext();
        // What /health runs: every HealthIndicator bean.
        List<String> checks = context.getBeansOfType(HealthIndicator.class).stream()
                .map(check -> check.getClass().getSimpleName()).sorted().toList();
        assertFalse(checks.contains(RedisHealthIndicator.class.getSimpleName()), "micronaut-redis's own check runs: " + checks);
        assertTrue(checks.contains(QueueRedisHealth.class.getSimpleName()), checks.toString());
        assertEquals("UP", redisCheck(Await.until("/health answers 200", WITHIN, () -> http.get("/health"),
                response -> response.statusCode() == 200)));

        redisProxy.stop();
        HttpResponse<String> down = Await.until("the redis check says DOWN", WITHIN, () -> http.get("/health"),
                response -> "DOWN".equals(redisCheck(response)));
        long start = System.nanoTime();
        HttpResponse<String> again = http.get("/health");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        redisProxy.start();
        HttpResponse<String> up = Await.until("the redis check says UP again", WITHIN, () -> http.get("/health"),
                response -> response.statusCode() == 200);

        assertEquals(503, down.statusCode(), down.body());
        assertEquals(503, again.statusCode(), again.body());
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "/health took " + took + " with redis.timeout 1s");
        assertEquals("UP", redisCheck(up), up.body());
    }

    @Test
    void processesStartedWhileRedisIsAwayStartAnywayAndWaitForIt() {
        TcpProxy away = new TcpProxy(URI.create(services.redisUrl()).getHost(), URI.create(services.redisUrl()).getPort());
        int port = away.start();
        away.stop();
        Map<String, String> toTheProxy = Map.of("redis.uri", proxyUri(port), "redis.timeout", "1s");
        try (EmbeddedServer web = services.startServer("web", toTheProxy);
             ApplicationContext worker = services.start("worker", toTheProxy)) {
            TestHttp webHttp = services.http(web.getURI());
            HttpResponse<String> refused = webHttp.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"x\"}}");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals(503, webHttp.get("/health").statusCode());

            away.start();
            assertEquals("DONE", awaitStatus(webHttp, acceptedJob(webHttp, "Ida"), "DONE", WITHIN).get("status"));
        } finally {
            away.close();
        }
    }

    @SuppressWarnings("unchecked")
    private String redisCheck(HttpResponse<String> health) {
        Map<String, Object> details = (Map<String, Object>) http.json(health).getOrDefault("details", Map.of());
        return (String) ((Map<String, Object>) details.getOrDefault("redis", Map.of())).get("status");
    }

    /** Posts a greet job until the API accepts it (202), and returns its id. */
    private static String acceptedJob(TestHttp http, String name) {
        HttpResponse<String> accepted = Await.until("the API accepts jobs again", WITHIN,
                () -> http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"" + name + "\"}}"),
                response -> response.statusCode() == 202);
        return (String) http.json(accepted).get("id");
    }

    private long countJobsNamed(String name) {
        return direct.sync().keys(services.key("job:*")).stream()
                .filter(key -> String.valueOf(direct.sync().hget(key, "payload")).contains("\"" + name + "\""))
                .count();
    }

    private static String proxyUri(int port) {
        return "redis://127.0.0.1:" + port;
    }
}
