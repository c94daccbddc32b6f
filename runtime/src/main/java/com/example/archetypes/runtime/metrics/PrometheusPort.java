package com.example.archetypes.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves every meter as Prometheus text, {@code GET /metrics}, on a port of its own,
 * {@code app.metrics.port} ({@code 9464}; {@code 0}: any free port; {@code -1}: none), bound to
 * {@code app.metrics.host} ({@code 127.0.0.1}), in every role. Not on the service's port: Micronaut's
 * management port ({@code endpoints.all.port}) would move {@code /health}, which the load balancer
 * asks on the service's port, with every other endpoint, and bind it on every interface; a token
 * would leave out the worker role, which checks none. From loopback nothing outside the machine (or
 * the container) reaches it. A port already taken is logged, not fatal: metrics must never keep a
 * service from running (two processes on one host's network, say); CloudWatch gets its figures
 * either way.
 */
@Singleton
@Requires(property = "app.metrics.port", notEquals = "-1")
final class PrometheusPort {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusPort.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final String host;
    private final int port;
    private ExecutorService executor;
    private HttpServer server;

    PrometheusPort(PrometheusMeterRegistry registry, @Value("${app.metrics.host:127.0.0.1}") String host,
                   @Value("${app.metrics.port:9464}") int port) {
        this.registry = registry;
        this.host = host;
        this.port = port;
    }

    @EventListener
    synchronized void start(StartupEvent event) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            LOG.warn("The metrics port {}:{} cannot be opened ({}); this process serves no Prometheus text "
                    + "(set METRICS_PORT, app.metrics.port, to a free port)", host, port, e.getMessage());
            return;
        }
        executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "metrics-port");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::answer);
        server.start();
        LOG.info("Metrics in Prometheus text on http://{}:{}/metrics", host, boundPort());
    }

    /** The port it listens on (the one chosen when the setting is 0), or -1 when it does not listen. */
    synchronized int boundPort() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    @PreDestroy
    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                send(exchange, 404, "text/plain; charset=utf-8", "Not found: the metrics are at /metrics\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "text/plain; charset=utf-8", "Only GET\n");
            } else {
                send(exchange, 200, CONTENT_TYPE, registry.scrape());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
