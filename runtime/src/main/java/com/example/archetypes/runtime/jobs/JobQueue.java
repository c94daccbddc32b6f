package com.example.archetypes.runtime.jobs;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static com.example.archetypes.runtime.jobs.QueueRedis.await;

/**
 * The job queue in Redis. Keys, all under {@code <prefix>}, which is {@code app.jobs.key-prefix} in
 * braces (a hash tag: every key in one slot of a Redis Cluster):
 * <ul>
 *   <li>{@code <prefix>:job:<id>}: a hash with the job's record; it expires {@code retention} after
 *       the job ended (DONE or FAILED), never before;</li>
 *   <li>{@code <prefix>:jobs}: the stream of jobs to run, read by the consumer group
 *       {@value #GROUP}; an entry is acknowledged (and deleted) only once its run has ended;</li>
 *   <li>{@code <prefix>:jobs:retry}: a sorted set of jobs waiting for their next attempt, scored by
 *       when it is due;</li>
 *   <li>{@code <prefix>:jobs:dead}: the dead-letter stream of jobs that failed for good;</li>
 *   <li>{@code <prefix>:idempotency:<caller>:<key>}: the job queued under a caller's Idempotency-Key
 *       (each caller has its own keys, so that one cannot learn or take over another's job).</li>
 * </ul>
 * The web role uses {@link #enqueue} and {@link #find}, which never block a thread; the rest is the
 * worker's, called from its own threads.
 */
@Singleton
class JobQueue {

    static final String GROUP = "workers";
    private static final Argument<Map<String, Object>> JSON_OBJECT = Argument.mapOf(String.class, Object.class);

    private final QueueRedis redis;
    private final JsonMapper json;
    private final JobSettings settings;
    private final String stream;
    private final String retries;
    private final String deadLetters;
    private final String workers;
    private final JobMetrics metrics;

    JobQueue(QueueRedis redis, JsonMapper json, JobSettings settings, JobMetrics metrics) {
        this.redis = redis;
        this.json = json;
        this.settings = settings;
        this.metrics = metrics;
        this.stream = settings.keyTag() + ":jobs";
        this.retries = stream + ":retry";
        this.deadLetters = stream + ":dead";
        this.workers = settings.keyTag() + ":workers";
    }

    /** A stream entry handed to a worker: which job to run. */
    record Delivery(String messageId, String jobId) {
    }

    /** What {@link #start} found: the job to run, or why there is none. */
    sealed interface Start {
        /** The job's record, with this run counted. */
        record Started(String type, String payload, int attempt) implements Start {
        }

        /** The job's record no longer exists (deleted, or evicted by Redis): nothing to run. */
        record Gone() implements Start {
        }

        /** Another worker took the job over: this one must leave it alone. */
        record Lost() implements Start {
        }
    }

    /** How many jobs are where. */
    record Stats(long waiting, long running, long retrying, long dead) {
    }

    // --- the web role ------------------------------------------------------------------------------

    /**
     * Stores a new job's record and queues it, in one step. With an idempotency key, a second call with
     * the same key (a client retrying after a lost answer) queues nothing and answers the first job.
     * The record keeps {@code owner}, who queued it.
     */
    CompletableFuture<Job> enqueue(String type, Map<String, Object> payload, @Nullable String idempotencyKey,
                                   String owner) {
        String id = UUID.randomUUID().toString();
        String[] keys = idempotencyKey == null
                ? new String[] {recordKey(id), stream}
                : new String[] {recordKey(id), stream, settings.keyTag() + ":idempotency:" + owner + ":" + idempotencyKey};
        return redis.<String>eval(QueueScripts.ENQUEUE, ScriptOutputType.VALUE, keys,
                        id, type, toJson(payload), ttlSeconds(), owner)
                .thenCompose(queuedId -> queuedId.equals(id)
                        ? CompletableFuture.completedFuture(queued(new Job(id, type, JobStatus.QUEUED, 0, null, null)))
                        : find(queuedId, owner).thenApply(earlier -> earlier.orElse(
                                new Job(queuedId, type, JobStatus.QUEUED, 0, null, null))));
    }

    /**
     * The job {@code id}, if it exists and {@code owner} queued it; any job when {@code owner} is null
     * (a caller allowed to read them all).
     */
    CompletableFuture<Optional<Job>> find(String id, @Nullable String owner) {
        return redis.call(commands -> commands.hgetall(recordKey(id)).toCompletableFuture())
                .thenApply(fields -> fields.isEmpty() || owner != null && !owner.equals(fields.get("owner"))
                        ? Optional.empty() : Optional.of(toJob(id, fields)));
    }

    /** Counts a job that was queued (not one answered again for a repeated Idempotency-Key). */
    private Job queued(Job job) {
        metrics.queued(job.type());
        return job;
    }

    // --- the worker role ---------------------------------------------------------------------------

    /** Creates the consumer group (and the stream) unless they exist; it reads from the start. */
    void createConsumerGroup() {
        try {
            await(redis.call(commands -> commands.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), GROUP,
                    XGroupCreateArgs.Builder.mkstream()).toCompletableFuture()));
        } catch (RedisBusyException alreadyExists) {
            // BUSYGROUP: another worker created it first.
        }
    }

    /**
     * Up to {@code count} new jobs for {@code consumer}, waiting up to the poll timeout for the first.
     * The wait blocks the connection, so the caller passes one of its own.
     */
    @SuppressWarnings("unchecked") // Lettuce takes the stream offsets as generic varargs
    List<Delivery> read(RedisClusterCommands<String, String> blockingConnection, String consumer, int count) {
        return deliveries(blockingConnection.xreadgroup(Consumer.from(GROUP, consumer),
                XReadArgs.Builder.block(settings.pollTimeout()).count(count),
                XReadArgs.StreamOffset.lastConsumed(stream)));
    }

    /**
     * Takes over, for {@code consumer}, up to {@code count} jobs whose worker has not renewed its claim
     * for longer than the visibility timeout. Pass the cursor returned last time ("0-0" to start): each
     * call goes on through the pending list where the last one stopped, so an abandoned job is found
     * however many others are pending before it.
     */
    Reclaimed reclaim(String consumer, int count, String cursor) {
        var claimed = await(redis.call(commands -> commands.xautoclaim(stream,
                XAutoClaimArgs.Builder.xautoclaim(Consumer.from(GROUP, consumer), settings.visibilityTimeout(), cursor)
                        .count(count)).toCompletableFuture()));
        return new Reclaimed(deliveries(claimed.getMessages()), claimed.getId());
    }

    record Reclaimed(List<Delivery> deliveries, String nextCursor) {
    }

    /** Puts back in the stream the retries now due (at most 100 per call); returns how many. */
    long promoteDueRetries() {
        return await(redis.<Long>eval(QueueScripts.PROMOTE_DUE_RETRIES, ScriptOutputType.INTEGER,
                new String[] {retries, stream}, "100"));
    }

    /** Counts this attempt and marks the job running, if {@code consumer} still holds it. */
    Start start(Delivery delivery, String consumer) {
        List<String> reply = await(redis.eval(QueueScripts.START, ScriptOutputType.MULTI,
                new String[] {recordKey(delivery.jobId()), stream}, GROUP, delivery.messageId(), consumer));
        return switch (reply.get(0)) {
            case "ok" -> new Start.Started(reply.get(1), reply.get(2), Integer.parseInt(reply.get(3)));
            case "gone" -> new Start.Gone();
            default -> new Start.Lost();
        };
    }

    /** Records the result and acknowledges the job; false if {@code consumer} no longer held it. */
    boolean complete(Delivery delivery, String consumer, Map<String, Object> result) {
        return ended(QueueScripts.COMPLETE, new String[] {recordKey(delivery.jobId()), stream},
                GROUP, delivery.messageId(), consumer, ttlSeconds(), toJson(result));
    }

    /** Records the failure and schedules the next attempt; false if {@code consumer} no longer held it. */
    boolean retryLater(Delivery delivery, String consumer, String error, Duration delay) {
        return ended(QueueScripts.RETRY_LATER, new String[] {recordKey(delivery.jobId()), stream, retries},
                GROUP, delivery.messageId(), consumer, error, delivery.jobId(), String.valueOf(delay.toMillis()));
    }

    /** Marks the job FAILED and copies it to the dead-letter stream; false if {@code consumer} no longer held it. */
    boolean deadLetter(Delivery delivery, String consumer, String error) {
        return ended(QueueScripts.DEAD_LETTER, new String[] {recordKey(delivery.jobId()), stream, deadLetters},
                GROUP, delivery.messageId(), consumer, ttlSeconds(), error, delivery.jobId(),
                String.valueOf(settings.deadLetterMaxLength()));
    }

    /** Drops a delivery whose record is gone: there is nothing left to run or to record. */
    boolean discard(Delivery delivery, String consumer) {
        return ended(QueueScripts.DISCARD, new String[] {recordKey(delivery.jobId()), stream},
                GROUP, delivery.messageId(), consumer);
    }

    /**
     * Renews {@code consumer}'s claim on the deliveries it still holds, so that no other worker takes
     * them over however long they run; returns the message ids it no longer holds.
     */
    List<String> renew(List<Delivery> running, String consumer) {
        String[] args = new String[running.size() + 2];
        args[0] = GROUP;
        args[1] = consumer;
        for (int i = 0; i < running.size(); i++) {
            args[i + 2] = running.get(i).messageId();
        }
        return await(redis.eval(QueueScripts.RENEW, ScriptOutputType.MULTI, new String[] {stream}, args));
    }

    /** Removes the consumers of workers that stopped: those holding nothing, idle longer than {@code idle}. */
    long pruneIdleConsumers(String consumer, Duration idle) {
        return await(redis.<Long>eval(QueueScripts.PRUNE_CONSUMERS, ScriptOutputType.INTEGER,
                new String[] {stream}, GROUP, consumer, String.valueOf(idle.toMillis())));
    }

    /** Records that {@code consumer} took or polled work now (see {@link #figures}). */
    void heartbeat(String consumer) {
        await(redis.eval(QueueScripts.HEARTBEAT, ScriptOutputType.INTEGER, new String[] {workers},
                consumer, String.valueOf(Duration.ofHours(1).toMillis())));
    }

    /** Forgets {@code consumer}'s heartbeat: a worker that stops is no longer counted. */
    void forgetWorker(String consumer) {
        await(redis.call(commands -> commands.zrem(workers, consumer).toCompletableFuture()));
    }

    /** The queue-wide figures of the metrics, as {@link QueueScripts#QUEUE_FIGURES} says. */
    record Figures(long waiting, long running, long retrying, long dead, Duration oldestWaitingAge, long workers) {
    }

    /** The queue's figures, read in one script; {@code activeWithin}: how recent a worker's heartbeat must be. */
    CompletableFuture<Figures> figures(Duration activeWithin) {
        return redis.<List<Long>>eval(QueueScripts.QUEUE_FIGURES, ScriptOutputType.MULTI,
                        new String[] {stream, retries, deadLetters, workers}, GROUP, String.valueOf(activeWithin.toMillis()))
                .thenApply(reply -> new Figures(reply.get(0), reply.get(1), reply.get(2), reply.get(3),
                        Duration.ofMillis(reply.get(4)), reply.get(5)));
    }

    Stats stats() {
        createConsumerGroup(); // the report may run before any worker thread has created it
        long length = await(redis.call(commands -> commands.xlen(stream).toCompletableFuture()));
        long running = await(redis.call(commands -> commands.xpending(stream, GROUP).toCompletableFuture())).getCount();
        long retrying = await(redis.call(commands -> commands.zcard(retries).toCompletableFuture()));
        long dead = await(redis.call(commands -> commands.xlen(deadLetters).toCompletableFuture()));
        return new Stats(length - running, running, retrying, dead);
    }

    Map<String, Object> parsePayload(String payload) throws IOException {
        return json.readValue(payload, JSON_OBJECT);
    }

    private boolean ended(QueueScripts.Script script, String[] keys, String... args) {
        Long done = await(redis.eval(script, ScriptOutputType.INTEGER, keys, args));
        return done == 1;
    }

    private Job toJob(String id, Map<String, String> fields) {
        String result = fields.get("result");
        Map<String, Object> parsedResult = null;
        if (result != null) {
            try {
                parsedResult = json.readValue(result, JSON_OBJECT);
            } catch (IOException e) {
                parsedResult = Map.of("unreadable", result);
            }
        }
        return new Job(id, fields.get("type"), JobStatus.valueOf(fields.getOrDefault("status", "QUEUED")),
                Integer.parseInt(fields.getOrDefault("attempts", "0")), parsedResult, fields.get("error"));
    }

    private List<Delivery> deliveries(List<StreamMessage<String, String>> messages) {
        return messages.stream()
                // An entry deleted while pending comes back without a body: nothing to run.
                .filter(message -> message.getBody() != null && message.getBody().containsKey("job"))
                .map(message -> new Delivery(message.getId(), message.getBody().get("job")))
                .toList();
    }

    private String recordKey(String id) {
        return settings.keyTag() + ":job:" + id;
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
}
