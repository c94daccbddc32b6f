package com.example.templateservice.jobs;

import com.example.templateservice.TestHttp;
import com.example.templateservice.TestServices;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.ApplicationContext;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.example.templateservice.jobs.JobsAwait.jobReaches;
import static com.example.templateservice.jobs.JobsAwait.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jobs outlive the workers that hold them. The test runs the web role, and starts and stops
 * separate worker-role application contexts against the same Redis, as separate processes would.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerHandOverTest implements TestPropertyProvider {

    private static final Duration WITHIN = Duration.ofSeconds(30);

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
        Map<String, String> properties = new HashMap<>(services.properties());
        properties.put("app.role", "web");
        return properties;
    }

    @BeforeEach
    void connect() {
        http = new TestHttp(server.getURI(), json);
        queue.createConsumerGroup();
    }

    @AfterAll
    void removeTestData() {
        services.close();
    }

    @Test
    void aJobTakenByAConsumerThatDiedIsFinishedByAnother() {
        String id = submit(http, "greet", "{\"name\": \"Linus\"}");
        // A consumer takes the job and dies before acknowledging it.
        List<StreamMessage<String, String>> taken = redis.sync().xreadgroup(
                Consumer.from(JobQueue.GROUP, "consumer-that-dies"), XReadArgs.Builder.count(1),
                XReadArgs.StreamOffset.lastConsumed(services.keyPrefix() + ":jobs"));
        assertEquals(id, taken.get(0).getBody().get("job"));

        try (ApplicationContext worker = startWorker(Map.of())) {
            Map<String, Object> job = jobReaches(http, id, "DONE", WITHIN);
            assertEquals(Map.of("greeting", "Hello, Linus!"), job.get("result"));
        }
        assertEquals(0, redis.sync().xpending(services.keyPrefix() + ":jobs", JobQueue.GROUP).getCount());
    }

    @Test
    void aStoppingWorkerFinishesTheJobItIsRunning() {
        ApplicationContext worker = startWorker(Map.of());
        String id = submit(http, "slow", "{\"millis\": 1500}");
        jobReaches(http, id, "RUNNING", WITHIN);

        worker.close();

        Map<String, Object> job = http.json(http.get("/jobs/" + id));
        assertEquals("DONE", job.get("status"), job.toString());
        assertEquals(1, job.get("attempts"));
    }

    @Test
    void aJobCutOffByAStoppingWorkerIsReturnedAndFinishedByAnother() {
        ApplicationContext impatient = startWorker(Map.of("app.jobs.shutdown-timeout", "100ms"));
        String id = submit(http, "slow", "{\"millis\": 4000}");
        jobReaches(http, id, "RUNNING", WITHIN);

        impatient.close();

        try (ApplicationContext worker = startWorker(Map.of())) {
            Map<String, Object> job = jobReaches(http, id, "DONE", WITHIN);
            assertEquals(2, job.get("attempts"), "the cut-off run counts as an attempt");
        }
    }

    @Test
    void aJobThatRunsLongerThanTheVisibilityTimeoutIsNotTakenOverWhileItsWorkerIsAlive() {
        try (ApplicationContext first = startWorker(Map.of()); ApplicationContext second = startWorker(Map.of())) {
            String id = submit(http, "slow", "{\"millis\": 5000}");

            Map<String, Object> job = jobReaches(http, id, "DONE", WITHIN);

            assertEquals(1, job.get("attempts"), "app.jobs.visibility-timeout is 2s, the job took 5s");
        }
    }

    private ApplicationContext startWorker(Map<String, String> overrides) {
        Map<String, Object> properties = new HashMap<>(services.properties());
        properties.put("app.role", "worker");
        properties.putAll(overrides);
        return ApplicationContext.builder().environments("test").properties(properties).start();
    }
}
