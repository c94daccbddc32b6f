package com.example.templateservice.jobs;

import com.example.templateservice.TestHttp;
import com.example.templateservice.TestServices;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static com.example.templateservice.jobs.JobsAwait.jobReaches;
import static com.example.templateservice.jobs.JobsAwait.submit;
import static com.example.templateservice.jobs.JobsAwait.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jobs travel web -> Redis -> worker in one process (role all), against the real Redis. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobWorkerTest implements TestPropertyProvider {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    private final TestServices services = new TestServices();

    @Inject
    EmbeddedServer server;

    @Inject
    JsonMapper json;

    @Inject
    StatefulRedisConnection<String, String> redis;

    @Inject
    JobQueue queue;

    private TestHttp http;

    @Override
    public Map<String, String> getProperties() {
        return services.properties();
    }

    @BeforeEach
    void connect() {
        http = new TestHttp(server.getURI(), json);
    }

    @AfterAll
    void removeTestData() {
        services.close();
    }

    @Test
    void aJobTravelsFromWebThroughRedisToTheWorkerAndIsDone() {
        String id = submit(http, "greet", "{\"name\": \"Ada\"}");

        Map<String, Object> job = jobReaches(http, id, "DONE", WITHIN);

        assertEquals(Map.of("greeting", "Hello, Ada!"), job.get("result"));
        assertEquals(1, job.get("attempts"));
        assertFalse(job.containsKey("error"), job.toString());
        until("the finished job has left the stream", WITHIN, () -> redis.sync().xlen(stream()) == 0);
    }

    @Test
    void aFailedRunIsRetriedAfterABackoff() {
        String id = submit(http, "fails-once", "{\"key\": \"retry-me\"}");

        Map<String, Object> job = jobReaches(http, id, "DONE", WITHIN);

        assertEquals(2, job.get("attempts"));
        assertEquals(Map.of("ok", true), job.get("result"));
    }

    @Test
    void aJobThatAlwaysFailsEndsInTheDeadLetterStreamAfterTheConfiguredAttempts() {
        String id = submit(http, "always-fails", "{\"n\": 1}");

        Map<String, Object> job = jobReaches(http, id, "FAILED", WITHIN);

        assertEquals(3, job.get("attempts"), "app.jobs.max-attempts is 3 in application-test.yml");
        assertEquals("IllegalStateException: this job always fails", job.get("error"));
        Optional<Map<String, String>> dead = redis.sync().xrange(stream() + ":dead", io.lettuce.core.Range.create("-", "+"))
                .stream().map(message -> message.getBody()).filter(body -> id.equals(body.get("job"))).findFirst();
        assertTrue(dead.isPresent(), "job " + id + " is not in the dead-letter stream");
        assertEquals("always-fails", dead.get().get("type"));
        assertEquals("{\"n\":1}", dead.get().get("payload"));
        assertEquals("3", dead.get().get("attempts"));
        assertEquals("IllegalStateException: this job always fails", dead.get().get("error"));
    }

    @Test
    void jobRecordsExpireAfterTheRetention() {
        String id = submit(http, "greet", "{\"name\": \"Grace\"}");
        jobReaches(http, id, "DONE", WITHIN);

        long ttl = redis.sync().ttl(services.keyPrefix() + ":job:" + id);

        assertTrue(ttl > 3500 && ttl <= 3600, "app.jobs.retention is 1h in application-test.yml, TTL was " + ttl);
    }

    @Test
    void thePeriodicReportRunsOnItsSchedule() {
        String slot = services.keyPrefix() + ":periodic:queue-report";

        until("the scheduled report has claimed its slot", WITHIN, () -> redis.sync().exists(slot) == 1);
    }

    @Test
    void aPeriodicTaskRunsOnOneWorkerPerInterval() {
        Duration interval = Duration.ofMillis(500);

        assertTrue(queue.claimPeriodicRun("test-task", "worker-a", interval));
        assertFalse(queue.claimPeriodicRun("test-task", "worker-b", interval));
        until("the next interval starts", WITHIN, () -> redis.sync().exists(services.keyPrefix() + ":periodic:test-task") == 0);
        assertTrue(queue.claimPeriodicRun("test-task", "worker-b", interval));
    }

    private String stream() {
        return services.keyPrefix() + ":jobs";
    }
}
