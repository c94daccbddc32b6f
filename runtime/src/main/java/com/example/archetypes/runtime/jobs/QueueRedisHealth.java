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

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * within it while Redis is away, as the API does.
 */
@Singleton
@Replaces(RedisHealthIndicator.class)
class QueueRedisHealth implements HealthIndicator {

    /** The name micronaut-redis's check had, which readiness checks and dashboards already know. */
    private static final String NAME = "redis";

    private final QueueRedis redis;
    private final String probeKey;
    private final Duration timeout;

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
                .handle((exists, failure) -> failure == null
                        ? HealthResult.builder(NAME, HealthStatus.UP).build()
                        // In the details, which StatusOnlyHealth keeps from strangers; not as an exception,
                        // which Micronaut would log at ERROR with its stack on every /health of an outage.
                        : HealthResult.builder(NAME, HealthStatus.DOWN)
                                .details(Map.of("error", String.valueOf(QueueRedis.unwrap(failure)))).build());
    }
}
