package com.example.archetypes.runtime.jobs;

import io.micronaut.configuration.lettuce.health.RedisHealthIndicator;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code redis} in /health: UP when the job queue's store answers a read of one of the queue's keys
 * on the queue's own connection ({@link QueueRedis}) within {@code redis.timeout}, DOWN otherwise.
 *
 * <p>It replaces micronaut-redis's {@link RedisHealthIndicator}, which opens a new standalone
 * connection to {@code redis.uri} for every /health and PINGs it. On a Redis Cluster that address is
 * only the node the client first learnt the cluster from: once that node is gone (a master killed and
 * its replica promoted, a node replaced), that check stays DOWN for good while the queue, which
 * follows the cluster's layout, works on, and the load balancer takes every instance out of service
 * after a failover that succeeded. Even while that node lives, its PING says nothing about the master
 * of the queue's slot. A read of a queue key goes where the queue's own commands go, through the same
 * connection: the master of the queue's slot on a cluster (after a failover, the promoted replica,
 * as soon as the client has followed it), the one server otherwise. So /health says DOWN while the
 * queue cannot be reached, when the job API answers 503 too, and UP again once the API works.
 *
 * <p>Bounded by {@code redis.timeout} as a whole, connecting included, so that /health answers
 * within it while Redis is away, as the API does. It logs when it turns DOWN, with the reason, and
 * when it is UP again, once each: a load balancer asks every few seconds, and a stack trace each time
 * (what Micronaut logs for a check that reports an exception) would bury the log.
 */
@Singleton
@Replaces(RedisHealthIndicator.class)
class QueueRedisHealth implements HealthIndicator {

    /** The name micronaut-redis's check had, which readiness checks and dashboards already know. */
    private static final String NAME = "redis";
    private static final Logger LOG = LoggerFactory.getLogger(QueueRedisHealth.class);

    private final QueueRedis redis;
    private final String probeKey;
    private final Duration timeout;
    private final AtomicBoolean down = new AtomicBoolean();

    QueueRedisHealth(QueueRedis redis, JobSettings settings, @Value("${redis.timeout:2s}") Duration timeout) {
        this.redis = redis;
        // Any key in the queue's hash tag lands in the queue's slot; the stream is the queue itself.
        this.probeKey = settings.keyTag() + ":jobs";
        this.timeout = timeout;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.fromCompletableFuture(this::probe);
    }

    private CompletableFuture<HealthResult> probe() {
        return redis.call(commands -> commands.exists(probeKey).toCompletableFuture())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((exists, failure) -> failure == null ? up() : down(QueueRedis.unwrap(failure)));
    }

    private HealthResult up() {
        if (down.compareAndSet(true, false)) {
            LOG.info("Redis answers the job queue again: the redis health check is UP");
        }
        return HealthResult.builder(NAME, HealthStatus.UP).build();
    }

    private HealthResult down(Throwable failure) {
        String reason = failure instanceof TimeoutException ? "no answer within " + timeout : String.valueOf(failure);
        if (down.compareAndSet(false, true)) {
            LOG.warn("The job queue's Redis does not answer ({}): the redis health check is DOWN, /health answers 503", reason);
        }
        // In the details, which StatusOnlyHealth keeps from strangers.
        return HealthResult.builder(NAME, HealthStatus.DOWN).details(Map.of("error", reason)).build();
    }
}
