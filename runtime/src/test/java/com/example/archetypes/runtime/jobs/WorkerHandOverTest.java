package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.micronaut.context.ApplicationContext;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static com.example.archetypes.runtime.jobs.Jobs.awaitStatus;
import static com.example.archetypes.runtime.jobs.Jobs.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jobs outlive the workers that hold them, and a worker never runs over another's claim. The test
 * runs the web role, and starts and stops separate worker processes against the same Redis; it plays
 * a worker itself, by Redis commands, where one must die or stall at a given moment.
 */
class WorkerHandOverTest extends ServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String GROUP = "workers";

    @Inject
    StatefulRedisConnection<String, String> connection;

    private RedisCommands<String, String> redis;

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web");
    }

    @BeforeEach
    void createConsumerGroup() {
        redis = connection.sync();
        if (redis.exists(stream()) == 0) {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream(), "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
        }
    }

    @Test
    void aJobTakenByAConsumerThatDiedIsFinishedByAnother() {
        String id = submit(http, "greet", "{\"name\": \"Linus\"}");
        assertEquals(id, readAs("consumer-that-dies", 1).get(0).getBody().get("job"));

        try (ApplicationContext worker = startWorker(Map.of())) {
            Map<String, Object> job = awaitStatus(http, id, "DONE", WITHIN);
            assertEquals(Map.of("greeting", "Hello, Linus!"), job.get("result"));
        }
        assertEquals(0, redis.xpending(stream(), GROUP).getCount());
    }

    @Test
    void aStoppingWorkerFinishesTheJobItIsRunning() {
        ApplicationContext worker = startWorker(Map.of());
        String id = submit(http, "slow", "{\"millis\": 1500}");
        awaitStatus(http, id, "RUNNING", WITHIN);

        worker.close();

        Map<String, Object> job = http.json(http.get("/jobs/" + id));
        assertEquals("DONE", job.get("status"), job.toString());
        assertEquals(1, job.get("attempts"));
    }

    @Test
    void aJobCutOffByAStoppingWorkerIsReturnedAndFinishedByAnother() {
        ApplicationContext impatient = startWorker(Map.of("app.jobs.shutdown-timeout", "100ms"));
        String id = submit(http, "slow", "{\"millis\": 4000}");
        awaitStatus(http, id, "RUNNING", WITHIN);

        impatient.close();

        try (ApplicationContext worker = startWorker(Map.of())) {
            Map<String, Object> job = awaitStatus(http, id, "DONE", WITHIN);
            assertEquals(2, job.get("attempts"), "the cut-off run counts as an attempt");
        }
    }

    @Test
    void aJobThatRunsLongerThanTheVisibilityTimeoutIsNotTakenOverWhileItsWorkerIsAlive() {
        try (ApplicationContext first = startWorker(Map.of()); ApplicationContext second = startWorker(Map.of())) {
            String id = submit(http, "slow", "{\"millis\": 5000}");

            Map<String, Object> job = awaitStatus(http, id, "DONE", WITHIN);

            assertEquals(1, job.get("attempts"), "app.jobs.visibility-timeout is 2s, the job took 5s");
        }
    }

    @Test
    void aWorkerThatLostItsClaimNeitherTakesItBackNorRecordsItsResult() {
        try (ApplicationContext stalled = startWorker(Map.of())) {
            String id = submit(http, "slow", "{\"millis\": 3000}");
            awaitStatus(http, id, "RUNNING", WITHIN);
            // Another worker takes the job over, as if the first had stalled past the visibility timeout.
            String messageId = pending().get(0).getId();
            ScheduledExecutorService newOwner = keepClaiming("new-owner", List.of(messageId));

            // Long enough for the slow job to end and for several of its worker's heartbeats.
            sleep(Duration.ofMillis(4000));

            newOwner.shutdownNow();
            assertEquals("new-owner", pending().get(0).getConsumer(), "the old worker took its claim back");
            Map<String, Object> job = http.json(http.get("/jobs/" + id));
            assertEquals("RUNNING", job.get("status"), "the old worker recorded a result over the new owner's run: " + job);
            assertEquals(1, job.get("attempts"));
        }
    }

    @Test
    void anAbandonedJobIsTakenOverHoweverManyOthersArePendingBeforeIt() {
        // Twelve jobs held by a live worker that keeps renewing its claims, then one whose worker died.
        for (int i = 0; i < 12; i++) {
            redis.xadd(stream(), "job", UUID.randomUUID().toString());
        }
        String abandoned = submit(http, "greet", "{\"name\": \"Margaret\"}");
        List<StreamMessage<String, String>> busy = readAs("busy-but-alive", 12);
        readAs("died", 1);
        ScheduledExecutorService alive = keepClaiming("busy-but-alive", busy.stream().map(StreamMessage::getId).toList());
        try (ApplicationContext worker = startWorker(Map.of())) {
            awaitStatus(http, abandoned, "DONE", WITHIN);
        } finally {
            alive.shutdownNow();
        }
    }

    @Test
    void theConsumersOfStoppedWorkersAreRemovedOnceTheyHoldNothing() {
        redis.xgroupCreateconsumer(stream(), Consumer.from(GROUP, "worker-that-stopped"));

        try (ApplicationContext worker = startWorker(Map.of())) {
            Await.until("the stopped worker's consumer is gone", WITHIN, () -> redis.xinfoConsumers(stream(), GROUP).stream()
                    .noneMatch(consumer -> String.valueOf(consumer).contains("worker-that-stopped")));
            String after = submit(http, "greet", "{\"name\": \"Katherine\"}");
            assertEquals("DONE", awaitStatus(http, after, "DONE", WITHIN).get("status"), "the live worker works on");
        }
    }

    /** Plays a live worker that holds these stream entries: renews its claim on them every 300 ms. */
    private ScheduledExecutorService keepClaiming(String consumer, List<String> messageIds) {
        ScheduledExecutorService alive = Executors.newSingleThreadScheduledExecutor();
        alive.scheduleAtFixedRate(() -> messageIds.forEach(id -> redis.xclaim(stream(), Consumer.from(GROUP, consumer),
                XClaimArgs.Builder.minIdleTime(0).justid(), id)), 0, 300, TimeUnit.MILLISECONDS);
        return alive;
    }

    private ApplicationContext startWorker(Map<String, String> overrides) {
        return services.start("worker", overrides);
    }

    private List<StreamMessage<String, String>> readAs(String consumer, int count) {
        return redis.xreadgroup(Consumer.from(GROUP, consumer), XReadArgs.Builder.count(count),
                XReadArgs.StreamOffset.lastConsumed(stream()));
    }

    private List<PendingMessage> pending() {
        return redis.xpending(stream(), GROUP, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(100));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String stream() {
        return services.key("jobs");
    }
}
