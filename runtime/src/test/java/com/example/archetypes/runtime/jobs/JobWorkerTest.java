package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import io.lettuce.core.Range;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static com.example.archetypes.runtime.jobs.Jobs.awaitStatus;
import static com.example.archetypes.runtime.jobs.Jobs.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs travel web -> Redis -> worker in one process (role all), against the real Redis; whatever a
 * job does wrong fails that job, and the worker goes on.
 */
class JobWorkerTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Inject
    StatefulRedisConnection<String, String> redis;

    @Test
    void aJobTravelsFromWebThroughRedisToTheWorkerAndIsDone() {
        String id = submit(http, "greet", "{\"name\": \"Ada\"}");

        Map<String, Object> job = awaitStatus(http, id, "DONE", WITHIN);

        assertEquals(Map.of("greeting", "Hello, Ada!"), job.get("result"));
        assertEquals(1, job.get("attempts"));
        assertFalse(job.containsKey("error"), job.toString());
        Await.until("the finished job has left the stream", WITHIN, () -> redis.sync().xlen(stream()) == 0);
    }

    @Test
    void aFailedRunIsRetriedAfterABackoff() {
        String id = submit(http, "fails-once", "{\"key\": \"retry-me\"}");

        Map<String, Object> job = awaitStatus(http, id, "DONE", WITHIN);

        assertEquals(2, job.get("attempts"));
        assertEquals(Map.of("ok", true), job.get("result"));
    }

    @Test
    void aJobThatAlwaysFailsEndsInTheDeadLetterStreamAfterTheConfiguredAttempts() {
        String id = submit(http, "fails", "{\"n\": 1}");

        // app.jobs.max-attempts is 3 in application-test.yml
        awaitFailure(id, 3, "IllegalStateException: this job always fails");
        Map<String, String> dead = deadLetter(id).orElseThrow(() -> new AssertionError("job " + id + " is not in the dead-letter stream"));
        assertEquals("fails", dead.get("type"));
        assertEquals("{\"n\":1}", dead.get("payload"));
        assertEquals("3", dead.get("attempts"));
        assertEquals("IllegalStateException: this job always fails", dead.get("error"));
    }

    @Test
    void aHandlerThatSaysRetryingCannotHelpFailsTheJobAtOnce() {
        String id = submit(http, "fails", "{\"how\": \"for-good\"}");

        awaitFailure(id, 1, "payload.order does not exist");
        assertTrue(deadLetter(id).isPresent(), "job " + id + " is not in the dead-letter stream");
    }

    @Test
    void anErrorThrownByAHandlerFailsItsJobAndTheWorkerGoesOn() {
        String failing = submit(http, "fails", "{\"how\": \"with-an-error\"}");

        Map<String, Object> job = awaitStatus(http, failing, "FAILED", WITHIN);
        String next = submit(http, "greet", "{\"name\": \"Barbara\"}");

        assertEquals("StackOverflowError: deep recursion", job.get("error"));
        assertEquals("DONE", awaitStatus(http, next, "DONE", WITHIN).get("status"));
    }

    @Test
    void theStoredErrorIsBounded() {
        String id = submit(http, "fails", "{\"how\": \"verbosely\", \"length\": 20000}");

        Map<String, Object> job = awaitStatus(http, id, "FAILED", WITHIN);

        assertTrue(((String) job.get("error")).length() <= 500, "error of " + ((String) job.get("error")).length() + " characters");
    }

    @Test
    void aQueuedJobWhoseRecordIsGoneIsDroppedAndTheWorkerGoesOn() {
        // A stream entry whose record was deleted (or evicted by Redis) before a worker got to it.
        redis.sync().xadd(stream(), "job", UUID.randomUUID().toString());

        String next = submit(http, "greet", "{\"name\": \"Edsger\"}");

        assertEquals("DONE", awaitStatus(http, next, "DONE", WITHIN).get("status"));
        Await.until("the orphaned entry has left the stream", WITHIN, () -> redis.sync().xlen(stream()) == 0);
    }

    @Test
    void aRecordWhosePayloadIsNotJsonFailsItsJobAndTheWorkerGoesOn() {
        // As a record written by another version of the service during a rolling deploy might be
        // (queued by this test's caller, so that it may read it).
        String id = UUID.randomUUID().toString();
        redis.sync().hset(services.key("job:" + id), Map.of("id", id, "type", "greet",
                "payload", "<name>Ada</name>", "status", "QUEUED", "attempts", "0", "owner", "test-caller"));
        redis.sync().xadd(stream(), "job", id);

        awaitFailure(id, 1, "its payload is not a JSON object");
        String next = submit(http, "greet", "{\"name\": \"Frances\"}");

        assertEquals("DONE", awaitStatus(http, next, "DONE", WITHIN).get("status"));
    }

    @Test
    void jobRecordsExpireAfterTheRetentionOnceTheyEnd() {
        String id = submit(http, "greet", "{\"name\": \"Grace\"}");
        awaitStatus(http, id, "DONE", WITHIN);

        long ttl = redis.sync().ttl(services.key("job:" + id));

        assertTrue(ttl > 3500 && ttl <= 3600, "app.jobs.retention is 1h in application-test.yml, TTL was " + ttl);
    }

    @Test
    void theQueueReportRunsOnItsSchedule() {
        String slot = services.key("periodic:queue-report");

        Await.until("the queue report has claimed an interval", WITHIN, () -> redis.sync().exists(slot) == 1);
    }

    /** Waits until the job has FAILED, and checks after how many runs and with which stored error. */
    private void awaitFailure(String id, int attempts, String error) {
        Map<String, Object> job = awaitStatus(http, id, "FAILED", WITHIN);
        assertEquals(attempts, job.get("attempts"), job.toString());
        assertEquals(error, job.get("error"));
    }

    private Optional<Map<String, String>> deadLetter(String id) {
        return redis.sync().xrange(stream() + ":dead", Range.create("-", "+")).stream()
                .map(message -> message.getBody()).filter(body -> id.equals(body.get("job"))).findFirst();
    }

    private String stream() {
        return services.key("jobs");
    }
}
