package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TestHttp;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job API's limits on real Redis: a caller's rate (429) and the queue's bound (503). */
class JobLimitsTest extends ServiceTest {

    private static final String JOB = "{\"type\": \"greet\", \"payload\": {\"name\": \"Ada\"}}";

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web", "app.jobs.limits.rate-per-caller", "3", "app.jobs.limits.rate-window", "1m");
    }

    @Test
    void aCallerOverItsRateGets429WithRetryAfterAndOthersDoNot() {
        TestHttp fast = http.withToken(services.issuer().token("fast-caller", "jobs:write"));
        for (int i = 0; i < 3; i++) {
            assertEquals(202, fast.postJson("/jobs", JOB).statusCode());
        }
        HttpResponse<String> refused = fast.postJson("/jobs", JOB);
        assertEquals(429, refused.statusCode(), refused.body());
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        assertTrue(refused.body().contains("at most 3 per 60 s per caller"), refused.body());
        assertTrue(!refused.body().contains("eyJ"), "the token was echoed: " + refused.body());

        TestHttp other = http.withToken(services.issuer().token("other-caller", "jobs:write"));
        assertEquals(202, other.postJson("/jobs", JOB).statusCode(), "one caller's rate must not limit another");
    }

    @Test
    void aFullQueueAnswers503AndQueuesNothingMore() {
        try (EmbeddedServer web = services.startServer("web", Map.of("app.jobs.limits.max-queued", "2",
                "app.jobs.key-prefix", services.keyPrefix() + "-bounded"))) {
            TestHttp client = new TestHttp(web.getURI(), services.issuer().token("bounded-caller", "jobs:write"));
            assertEquals(202, client.postJson("/jobs", JOB).statusCode());
            assertEquals(202, client.postJson("/jobs", JOB).statusCode());
            HttpResponse<String> full = client.postJson("/jobs", JOB);
            assertEquals(503, full.statusCode(), full.body());
            assertEquals("30", full.headers().firstValue("Retry-After").orElse(""));
            assertTrue(full.body().contains("The job queue is full (2 jobs"), full.body());
            assertEquals(2, queued("{" + services.keyPrefix() + "-bounded}:jobs"), "a refused job was queued");
        } finally {
            deleteKeys("{" + services.keyPrefix() + "-bounded}:*");
        }
    }

    private long queued(String stream) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(services.redisUrl(stream));
        try (var connection = client.connect()) {
            return connection.sync().xlen(stream);
        } finally {
            client.shutdown();
        }
    }

    /** The keys of the bounded queue's own prefix, which TestServices does not know of. */
    private void deleteKeys(String pattern) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(services.redisUrl(pattern));
        try (var connection = client.connect()) {
            var keys = io.lettuce.core.ScanIterator.scan(connection.sync(), io.lettuce.core.ScanArgs.Builder.matches(pattern)).stream().toList();
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }
}
