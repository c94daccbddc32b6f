package com.example.archetypes.runtime.web;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.management.health.aggregator.DefaultHealthAggregator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.runtime.ApplicationConfiguration;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * /health tells anyone who asks the status of the service and of each of its checks (jdbc, redis,
 * jobWorker), and nothing more: the checks' details (the database URL, server versions, errors) are
 * for the logs, not for strangers. A load balancer needs only the status code.
 */
@Singleton
@Replaces(DefaultHealthAggregator.class)
class StatusOnlyHealth extends DefaultHealthAggregator {

    StatusOnlyHealth(ApplicationConfiguration configuration) {
        super(configuration);
    }

    @Override
    protected Object aggregateDetails(List<HealthResult> results) {
        Map<String, Object> statuses = new TreeMap<>();
        results.forEach(result -> statuses.put(result.getName(), Map.of("status", result.getStatus().getName())));
        return statuses;
    }
}
