package com.example.archetypes.runtime.jobs;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micronaut.configuration.lettuce.AbstractRedisConfiguration;
import io.micronaut.configuration.lettuce.ClientResourcesMutator;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.event.BeanDestroyedEvent;
import io.micronaut.context.event.BeanDestroyedEventListener;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How every Redis connection of this service behaves when Redis is slow or away, so that callers get
 * an answer within {@code redis.timeout} ({@code REDIS_TIMEOUT}) instead of Lettuce's defaults (a
 * 60 s wait, commands buffered while disconnected, reconnect attempts up to 30 s apart):
 * <ul>
 *   <li>a command gives up after the timeout; a worker's blocking read, after the poll timeout plus the timeout;</li>
 *   <li>a command issued while disconnected fails at once: it is never kept to run later, behind the
 *       back of a caller who has already been told it failed;</li>
 *   <li>a lost connection is retried every 100 ms to 1 s, so work resumes within about a second of
 *       Redis coming back.</li>
 * </ul>
 * It also gives the connection Redis's password (AUTH token) from {@code REDIS_PASSWORD}, when set, and
 * the user it belongs to from {@code REDIS_USERNAME} (an ACL user, as MemoryDB requires), so
 * that the secret need not be written into REDIS_URL; and it shuts down the client's resources (event
 * loops, timers) with the client, which micronaut-redis 6.9 leaves running: it builds them itself and
 * hands them to the client, which then does not own them.
 */
@Singleton
class RedisClientOptions implements BeanCreatedEventListener<RedisClient>, BeanDestroyedEventListener<RedisClient>,
        ClientResourcesMutator {

    private final Duration timeout;
    private final Duration pollTimeout;
    private final AbstractRedisConfiguration configuration;
    private final String username;
    private final String password;

    RedisClientOptions(@Value("${redis.timeout:2s}") Duration timeout, JobSettings settings,
                       AbstractRedisConfiguration configuration, @Value("${app.redis-username:}") String username,
                       @Value("${app.redis-password:}") String password) {
        this.timeout = timeout;
        this.pollTimeout = settings.pollTimeout();
        this.configuration = configuration;
        this.username = username;
        this.password = password;
    }

    @Override
    public RedisClient onCreated(BeanCreatedEvent<RedisClient> event) {
        RedisClient client = event.getBean();
        if (!password.isEmpty()) {
            // The client connects with this very RedisURI object, so the password reaches every connection;
            // with a user too (an ACL user, as MemoryDB has), AUTH names both.
            configuration.getUri().ifPresent(uri -> {
                if (!username.isEmpty()) {
                    uri.setUsername(username);
                }
                uri.setPassword(password.toCharArray());
            });
        }
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socketOptions())
                .timeoutOptions(timeoutOptions())
                .build());
        return client;
    }

    /**
     * The same behaviour for a Redis Cluster's client, which also follows the cluster's layout: it
     * reloads it at once when a node cannot be reached three times running, or answers MOVED or ASK
     * (a failover, a resharding), and every 10 s in any case, so that after a master's replica has
     * taken over, commands go to the new master within about a second of the promotion.
     */
    ClusterClientOptions clusterOptions() {
        return ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socketOptions())
                .timeoutOptions(timeoutOptions())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .refreshTriggersReconnectAttempts(3)
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .enablePeriodicRefresh(Duration.ofSeconds(10))
                        .build())
                .build();
    }

    private SocketOptions socketOptions() {
        return SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
    }

    private TimeoutOptions timeoutOptions() {
        return TimeoutOptions.builder().timeoutSource(new CommandTimeout(timeout, pollTimeout)).build();
    }

    @Override
    public void onDestroyed(BeanDestroyedEvent<RedisClient> event) {
        event.getBean().getResources().shutdown();
    }

    @Override
    public void mutate(ClientResources.Builder builder, AbstractRedisConfiguration config) {
        builder.reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
    }

    /** The timeout of one command; a worker's blocking read of the stream waits the poll timeout on top. */
    private static final class CommandTimeout extends TimeoutOptions.TimeoutSource {

        private final long millis;
        private final long blockingReadMillis;

        CommandTimeout(Duration timeout, Duration pollTimeout) {
            this.millis = timeout.toMillis();
            this.blockingReadMillis = millis + pollTimeout.toMillis();
        }

        @Override
        public long getTimeout(RedisCommand<?, ?, ?> command) {
            return command.getType() == CommandType.XREADGROUP ? blockingReadMillis : millis;
        }

        @Override
        public TimeUnit getTimeUnit() {
            return TimeUnit.MILLISECONDS;
        }
    }
}
