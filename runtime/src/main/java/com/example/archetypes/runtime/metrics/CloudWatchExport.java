package com.example.archetypes.runtime.metrics;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.cloudwatch2.CloudWatchNamingConvention;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClientBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Publishes, once per {@code app.metrics.cloudwatch.step} ({@code 1m}), the few figures the
 * environment's alarms need to the CloudWatch namespace {@code app.metrics.cloudwatch.namespace}
 * ({@code METRICS_CLOUDWATCH_NAMESPACE}), without dimensions, with these exact names:
 * <ul>
 *   <li>{@code jobs.waiting}, {@code jobs.oldest.waiting.age} (seconds), {@code jobs.workers}: the
 *       queue-wide gauges, the same in every process (alarms take the maximum);</li>
 *   <li>{@code jobs.dead.lettered}: the jobs this process dead-lettered in the step, every type
 *       together (alarms take the sum);</li>
 *   <li>{@code jobs.store.data.losses}: the times in the step this process found the queue's store
 *       emptied under it (alarms take the sum).</li>
 * </ul>
 * Only these, since CloudWatch bills each name (and set of dimensions) as a custom metric; everything
 * else stays in Prometheus. Without the namespace this bean does not exist: nothing is sent, and no
 * AWS credentials or region are looked for. With it, the AWS SDK's default chains find them (the
 * instance profile and {@code AWS_REGION} in AWS); {@code app.metrics.cloudwatch.endpoint} points the
 * client elsewhere (a stub in tests). A failed publication is logged by Micrometer and never stops
 * the service.
 *
 * <p>The figures are read from the service's registry by name, so that this needs nothing of the job
 * engine but its meter names. The CloudWatch registry is this bean's own, not a bean: Micronaut would
 * otherwise add it to its composite, and every meter would be published.
 */
@Singleton
@Requires(property = "app.metrics.cloudwatch.namespace", pattern = ".*\\S.*")
final class CloudWatchExport {

    private static final Logger LOG = LoggerFactory.getLogger(CloudWatchExport.class);
    static final String WAITING = "jobs.waiting";
    static final String OLDEST_WAITING_AGE = "jobs.oldest.waiting.age";
    static final String WORKERS = "jobs.workers";
    static final String DEAD_LETTERED = "jobs.dead.lettered";
    static final String STORE_DATA_LOSSES = "jobs.store.data.losses";

    private final MeterRegistry service;
    private final String namespace;
    private final Duration step;
    private final String endpoint;
    private final String region;
    private CloudWatchAsyncClient client;
    private CloudWatchMeterRegistry registry;

    CloudWatchExport(MeterRegistry service,
                     @Value("${app.metrics.cloudwatch.namespace}") String namespace,
                     @Value("${app.metrics.cloudwatch.step:1m}") Duration step,
                     @Nullable @Value("${app.metrics.cloudwatch.endpoint:}") String endpoint,
                     @Nullable @Value("${app.metrics.cloudwatch.region:}") String region) {
        this.service = service;
        this.namespace = namespace.trim();
        this.step = step;
        this.endpoint = endpoint;
        this.region = region;
    }

    /** Starts at start-up, not at first use: nothing else asks for this bean. */
    @EventListener
    synchronized void start(StartupEvent event) {
        CloudWatchAsyncClientBuilder builder = CloudWatchAsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder());
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint.trim()));
        }
        if (region != null && !region.isBlank()) {
            builder.region(Region.of(region.trim()));
        }
        client = builder.build();
        Map<String, String> config = Map.of("cloudwatch.namespace", namespace, "cloudwatch.step", step.toString());
        registry = new CloudWatchMeterRegistry(config::get, Clock.SYSTEM, client);
        registry.config().namingConvention(exactNames(registry.config().namingConvention()));
        for (String name : List.of(WAITING, OLDEST_WAITING_AGE, WORKERS)) {
            Gauge.builder(name, service, registry -> gaugeValue(registry, name))
                    .baseUnit(name.equals(OLDEST_WAITING_AGE) ? "seconds" : null)
                    .register(this.registry);
        }
        for (String name : List.of(DEAD_LETTERED, STORE_DATA_LOSSES)) {
            FunctionCounter.builder(name, service, registry -> counted(registry, name))
                    .baseUnit("count")
                    .register(registry);
        }
        LOG.info("Publishing {}, {}, {}, {} and {} to the CloudWatch namespace {} every {}",
                WAITING, OLDEST_WAITING_AGE, WORKERS, DEAD_LETTERED, STORE_DATA_LOSSES, namespace, step);
    }

    @PreDestroy
    synchronized void stop() {
        if (registry != null) {
            registry.close(); // publishes the last step first
            client.close();
            registry = null;
        }
    }

    private static double gaugeValue(MeterRegistry service, String name) {
        Gauge gauge = service.find(name).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    /**
     * What the service's counters of that name (every type together) have counted so far; the registry
     * sends the step's increase.
     */
    private static double counted(MeterRegistry service, String name) {
        return service.find(name).counters().stream().mapToDouble(Counter::count).sum()
                + service.find(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    /**
     * Micrometer's CloudWatch registry names a gauge's datum {@code <name>.value} and a counter's
     * {@code <name>.count}; the alarms know the names without them.
     */
    static NamingConvention exactNames(NamingConvention cloudWatch) {
        NamingConvention base = cloudWatch == null ? new CloudWatchNamingConvention() : cloudWatch;
        return (name, type, unit) -> {
            String named = base.name(name, type, unit);
            String suffix = switch (type) {
                case GAUGE -> ".value";
                case COUNTER -> ".count";
                default -> null;
            };
            return suffix != null && named.endsWith(suffix) ? named.substring(0, named.length() - suffix.length()) : named;
        };
    }
}
