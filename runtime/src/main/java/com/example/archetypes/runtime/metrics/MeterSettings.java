package com.example.archetypes.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/**
 * The registry every meter goes to (Prometheus's, served by {@link PrometheusPort}), and the HTTP
 * server's timer with a histogram, from which Prometheus computes p50, p95, p99 or any quantile, for
 * one process or across all of them ({@code histogram_quantile}; see the README). Not quantiles
 * computed here: they cannot be added up across processes, and Micrometer's Prometheus registry
 * serves a timer's histogram or its quantiles, not both.
 */
@Factory
class MeterSettings {

    static final String HTTP_SERVER_REQUESTS = "http.server.requests";

    /** Micronaut adds every MeterRegistry bean to its composite registry, which the meters are made in. */
    @Singleton
    @Bean(preDestroy = "close")
    PrometheusMeterRegistry prometheusRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Singleton
    MeterFilter httpServerPercentiles() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(HTTP_SERVER_REQUESTS)) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .build()
                        .merge(config);
            }
        };
    }
}
