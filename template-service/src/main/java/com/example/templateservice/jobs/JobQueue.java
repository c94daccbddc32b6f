package com.example.templateservice.jobs;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The job queue in Redis. Keys, all under {@code app.jobs.key-prefix}:
 * <ul>
 *   <li>{@code <prefix>:job:<id>}: a hash with the job's record, expiring after the retention;</li>
 *   <li>{@code <prefix>:jobs}: the stream of jobs to run, read by the consumer group
 *       {@value #GROUP}; an entry is acknowledged (and deleted) only once its run has ended;</li>
 *   <li>{@code <prefix>:jobs:retry}: a sorted set of jobs waiting for their next attempt, scored by
 *       when it is due;</li>
 *   <li>{@code <prefix>:jobs:dead}: the dead-letter stream of jobs that failed every attempt.</li>
 * </ul>
 */
@Singleton
public class JobQueue {

    static final String GROUP = "workers";
    private static final Argument<Map<String, Object>> JSON_OBJECT = Argument.mapOf(String.class, Object.class);

    private final RedisCommands<String, String> redis;
    private final JsonMapper json;
    private final JobSettings settings;
    private final String stream;
    private final String retries;
    private final String deadLetters;

    JobQueue(StatefulRedisConnection<String, String> connection, JsonMapper json, JobSettings settings) {
        this.redis = connection.sync();
        this.json = json;
        this.settings = settings;
        this.stream = settings.keyPrefix() + ":jobs";
        this.retries = stream + ":retry";
        this.deadLetters = stream + ":dead";
    }

    /** A stream entry handed to a worker: which job to run. */
    record Delivery(String messageId, String jobId) {
    }

    /** A job a worker has started, with its payload and the number of this attempt. */
    record StartedJob(String id, String type, Map<String, Object> payload, int attempt) {
    }

    /** How many jobs are where. */
    public record Stats(long waiting, long running, long retrying, long dead) {
    }

    // --- used by the web role ------------------------------------------------------------------

    /** Stores a new job's record and queues it, in one step. */
    public Job enqueue(String type, Map<String, Object> payload) {
        String id = UUID.randomUUID().toString();
        redis.eval(QueueScripts.ENQUEUE, ScriptOutputType.INTEGER, new String[] {recordKey(id), stream},
                id, type, toJson(payload), ttlSeconds());
        return new Job(id, type, JobStatus.QUEUED, 0, null, null);
    }

    public Optional<Job> find(String id) {
        Map<String, String> fields = redis.hgetall(recordKey(id));
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        String result = fields.get("result");
        return Optional.of(new Job(
                id,
                fields.get("type"),
                JobStatus.valueOf(fields.get("status")),
                Integer.parseInt(fields.get("attempts")),
                result == null ? null : fromJson(result),
                fields.get("error")));
    }

    // --- used by the worker role ---------------------------------------------------------------

    /** Creates the consumer group (and the stream) unless they exist; it reads from the start. */
    void createConsumerGroup() {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException alreadyExists) {
            // BUSYGROUP: another worker created it first.
        }
    }

    /**
     * The next job for {@code consumer}: first any retry now due is put back in the stream, then a job
     * abandoned by a worker that stopped answering (no heartbeat for longer than the visibility
     * timeout) is taken over; only when there is none does it wait, up to the poll timeout, for a
     * new one. The wait blocks its connection, so each worker thread passes its own.
     */
    List<Delivery> next(RedisCommands<String, String> blockingConnection, String consumer) {
        redis.eval(QueueScripts.PROMOTE_DUE_RETRIES, ScriptOutputType.INTEGER, new String[] {retries, stream}, "100");
        Consumer<String> me = Consumer.from(GROUP, consumer);
        List<StreamMessage<String, String>> abandoned = redis.xautoclaim(stream,
                XAutoClaimArgs.Builder.xautoclaim(me, settings.visibilityTimeout(), "0-0").count(1)).getMessages();
        if (!abandoned.isEmpty()) {
            return deliveries(abandoned);
        }
        return deliveries(blockingConnection.xreadgroup(me,
                XReadArgs.Builder.block(settings.pollTimeout()).count(1),
                XReadArgs.StreamOffset.lastConsumed(stream)));
    }

    /**
     * Tells Redis that {@code consumer} is still working on the delivery, by claiming it again: this
     * resets its idle time, so other workers leave it alone however long the job takes.
     */
    void keepClaimed(Delivery delivery, String consumer) {
        redis.xclaim(stream, Consumer.from(GROUP, consumer), XClaimArgs.Builder.minIdleTime(0).justid(),
                delivery.messageId());
    }

    /** Counts this attempt and marks the job running; empty if its record has expired. */
    Optional<StartedJob> start(Delivery delivery) {
        List<String> fields = redis.eval(QueueScripts.START, ScriptOutputType.MULTI,
                new String[] {recordKey(delivery.jobId())}, ttlSeconds());
        if (fields == null || fields.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> record = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            record.put(fields.get(i), fields.get(i + 1));
        }
        return Optional.of(new StartedJob(delivery.jobId(), record.get("type"),
                fromJson(record.get("payload")), Integer.parseInt(record.get("attempts"))));
    }

    void complete(Delivery delivery, Map<String, Object> result) {
        redis.eval(QueueScripts.COMPLETE, ScriptOutputType.INTEGER,
                new String[] {recordKey(delivery.jobId()), stream},
                GROUP, delivery.messageId(), ttlSeconds(), toJson(result));
    }

    void retryLater(Delivery delivery, String error, Duration delay) {
        redis.eval(QueueScripts.RETRY_LATER, ScriptOutputType.INTEGER,
                new String[] {recordKey(delivery.jobId()), stream, retries},
                GROUP, delivery.messageId(), ttlSeconds(), error, delivery.jobId(), String.valueOf(delay.toMillis()));
    }

    void deadLetter(Delivery delivery, String error) {
        redis.eval(QueueScripts.DEAD_LETTER, ScriptOutputType.INTEGER,
                new String[] {recordKey(delivery.jobId()), stream, deadLetters},
                GROUP, delivery.messageId(), ttlSeconds(), error, delivery.jobId(),
                String.valueOf(settings.deadLetterMaxLength()));
    }

    /** Drops a delivery whose job record has expired: there is nothing left to run. */
    void discard(Delivery delivery) {
        redis.xack(stream, GROUP, delivery.messageId());
        redis.xdel(stream, delivery.messageId());
    }

    Stats stats() {
        createConsumerGroup(); // the report may run before any worker thread has created it
        long running = redis.xpending(stream, GROUP).getCount();
        return new Stats(redis.xlen(stream) - running, running, redis.zcard(retries), redis.xlen(deadLetters));
    }

    /**
     * Claims the current run of a periodic task for {@code owner} until {@code period} has passed.
     * With several workers only the first to ask in each period gets true, the way one Celery beat
     * schedules for many workers.
     */
    boolean claimPeriodicRun(String task, String owner, Duration period) {
        String key = settings.keyPrefix() + ":periodic:" + task;
        return "OK".equals(redis.set(key, owner, SetArgs.Builder.nx().px(period.toMillis())));
    }

    private List<Delivery> deliveries(List<StreamMessage<String, String>> messages) {
        return messages.stream()
                // An entry deleted while pending comes back without a body: nothing to run.
                .filter(message -> message.getBody() != null && message.getBody().containsKey("job"))
                .map(message -> new Delivery(message.getId(), message.getBody().get("job")))
                .toList();
    }

    private String recordKey(String id) {
        return settings.keyPrefix() + ":job:" + id;
    }

    private String ttlSeconds() {
        return String.valueOf(Math.max(1, settings.retention().toSeconds()));
    }

    private String toJson(Map<String, Object> value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> fromJson(String value) {
        try {
            return json.readValue(value, JSON_OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
