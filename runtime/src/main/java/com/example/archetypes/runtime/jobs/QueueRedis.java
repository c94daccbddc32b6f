package com.example.archetypes.runtime.jobs;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.micronaut.configuration.lettuce.AbstractRedisConfiguration;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The queue's connection to Redis, shared by every caller (Lettuce connections are thread-safe).
 * Nothing connects at start-up, so a process starts, and says DOWN in /health, while Redis is away;
 * the first command connects, and each later one retries until a connection stands. See
 * {@link RedisClientOptions} for how commands behave while it is lost.
 *
 * <p>With {@code app.redis-cluster} ({@code REDIS_CLUSTER=true}) it talks to a Redis Cluster
 * (MemoryDB, ElastiCache in cluster mode or Serverless) through Lettuce's cluster client instead,
 * {@code redis.uri} being any node, or the cluster's configuration endpoint: the client learns the
 * cluster's layout from it, sends each command to the master of its key's slot, and follows a
 * failover (see {@link RedisClientOptions#clusterOptions}). Every key of the queue is in one slot
 * (see {@link JobSettings#keyTag}), so its scripts run on a cluster as they do on one server. The
 * cluster client shares the event loops and timers of micronaut-redis's client, and so is shut
 * down with it.
 */
@Singleton
class QueueRedis {

    private final RedisClient client;
    private final RedisURI uri;
    private final RedisClusterClient clusterClient;
    private CompletableFuture<? extends StatefulConnection<String, String>> connection;

    QueueRedis(RedisClient client, AbstractRedisConfiguration configuration, RedisClientOptions options,
               @Value("${app.redis-cluster:false}") boolean cluster) {
        this.client = client;
        this.uri = configuration.getUri().orElse(configuration);
        if (cluster) {
            clusterClient = RedisClusterClient.create(client.getResources(), List.of(uri));
            clusterClient.setOptions(options.clusterOptions());
        } else {
            clusterClient = null;
        }
    }

    /** True when this service talks to a Redis Cluster. */
    boolean cluster() {
        return clusterClient != null;
    }

    /**
     * Runs commands on the shared connection, connecting first if there is none (without blocking).
     * A failure is always a {@link RedisException}, which the web role answers 503: when the socket
     * breaks under a command (Redis killed, the connection reset), Lettuce fails the command at the
     * head of its queue with the socket's own IOException ("Connection reset"), and Micronaut would
     * take that for a client that went away and answer 400 "Stream closed".
     */
    <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, String>, CompletableFuture<T>> commands) {
        return connection().thenCompose(connected -> commands.apply(async(connected)))
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(asRedisException(unwrap(failure))));
    }

    /**
     * Runs a script by its digest; on the first call after Redis lost its script cache (a restart),
     * sends the whole text, which caches it again.
     */
    <T> CompletableFuture<T> eval(QueueScripts.Script script, ScriptOutputType type, String[] keys, String... args) {
        return call(redis -> redis.<T>evalsha(script.sha1(), type, keys, args).toCompletableFuture()
                .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                        ? redis.<T>eval(script.source(), type, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(unwrap(failure))));
    }

    /**
     * A connection of its own, for a worker's blocking reads (a blocked connection serves nobody
     * else). Connects now, on the calling thread.
     */
    BlockingConnection connectForBlockingReads() {
        if (clusterClient != null) {
            StatefulRedisClusterConnection<String, String> connected = clusterClient.connect(StringCodec.UTF8);
            return new BlockingConnection(connected, connected.sync());
        }
        StatefulRedisConnection<String, String> connected = client.connect(StringCodec.UTF8, uri);
        return new BlockingConnection(connected, connected.sync());
    }

    /** A connection for blocking reads, and its synchronous commands. */
    record BlockingConnection(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> commands)
            implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
        }
    }

    /** The result of a command, for callers on their own thread; a failure is a {@link RedisException}. */
    static <T> T await(CompletableFuture<T> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            throw cause instanceof RuntimeException runtime ? runtime : new RedisException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while waiting for Redis", e);
        }
    }

    private static RedisException asRedisException(Throwable failure) {
        return failure instanceof RedisException redis ? redis : new RedisException(failure);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> connected) {
        return connected instanceof StatefulRedisClusterConnection<String, String> cluster
                ? cluster.async()
                : ((StatefulRedisConnection<String, String>) connected).async();
    }

    private synchronized CompletableFuture<? extends StatefulConnection<String, String>> connection() {
        if (connection == null || connection.isCompletedExceptionally()) {
            // The cluster client's connectAsync fails ("Partitions not initialized") until the cluster's
            // layout has been loaded, which only its blocking connect() does by itself: load it first,
            // without blocking (the first call may come on an event loop).
            connection = clusterClient != null
                    ? clusterClient.refreshPartitionsAsync().toCompletableFuture()
                            .thenCompose(loaded -> clusterClient.connectAsync(StringCodec.UTF8).toCompletableFuture())
                    : client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection;
    }

    @PreDestroy
    synchronized void close() {
        if (connection != null) {
            connection.thenAccept(StatefulConnection::close);
        }
        if (clusterClient != null) {
            // The resources are micronaut-redis's client's: that client shuts them down.
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
