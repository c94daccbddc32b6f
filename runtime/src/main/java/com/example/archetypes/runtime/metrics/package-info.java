/**
 * Where the service's metrics go: every meter to a Prometheus registry, whose text is served on a
 * loopback-only port of its own ({@link PrometheusPort}), never on the service's public port; the
 * few that the environment's alarms need to CloudWatch, once a minute, when
 * {@code app.metrics.cloudwatch.namespace} is set ({@link CloudWatchExport}); and the distribution
 * settings of the HTTP server's timer ({@link MeterSettings}). The meters themselves come from
 * micronaut-micrometer (HTTP, JVM, the DataSource pool), micronaut-redis (Lettuce's command latency)
 * and the job engine (jobs.JobMetrics, jobs.QueueGauges). See "Metrics" in the README.
 */
package com.example.archetypes.runtime.metrics;
